"""Benchmark: the pure planner over a week for 200 personas with a 2,000-item library.

Pure Python, in memory: no database, no Django. It times ``scheduler.planner.plan`` alone
(the loader's queries are measured by the scheduler's query-count tests instead).

    .venv/bin/python bench/planner.py [--personas 200] [--days 7] [--library 2000] [--repeat 5]

Data, generated from a fixed seed so every run plans the same thing:
- library: 2,000 items, categories 40 / 40 / 20, one to three of 24 topics each, 10 % with a
  validity that ends or starts inside the week, 5 % non-compliant;
- per persona: the three default golden-hour windows every day (21 slots a week), 60 posts of
  history over the previous 30 days, two kept posts in the week (one of them sometimes an
  ad), up to five topics of interest, one persona in ten in nurturing mode; Asia/Shanghai,
  with every tenth persona in America/New_York.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.planner import (
    AD,
    CATEGORIES,
    DEFAULT_WINDOWS,
    KeptPost,
    LibraryItem,
    PastPost,
    PlanRequest,
    plan,
    slot_time,
)

TOPICS = [f"topic-{n:02d}" for n in range(24)]
START = dt.date(2025, 3, 3)  # a Monday; New York changes its clocks that Sunday


def make_library(rng: random.Random, size: int) -> list[LibraryItem]:
    items = []
    for item_id in range(1, size + 1):
        category = rng.choices(CATEGORIES, weights=(40, 40, 20))[0]
        valid_from = valid_until = None
        if rng.random() < 0.10:
            if rng.random() < 0.5:
                valid_until = START + dt.timedelta(days=rng.randint(-3, 6))
            else:
                valid_from = START + dt.timedelta(days=rng.randint(0, 9))
        items.append(
            LibraryItem(
                id=item_id,
                category=category,
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 3))),
                valid_from=valid_from,
                valid_until=valid_until,
                compliant=rng.random() >= 0.05,
            )
        )
    return items


def make_requests(
    rng: random.Random, personas: int, days: int, library: list[LibraryItem]
) -> list[PlanRequest]:
    by_category = {c: [i for i in library if i.category == c] for c in CATEGORIES}
    requests = []
    for persona_id in range(1, personas + 1):
        tz = ZoneInfo("America/New_York" if persona_id % 10 == 0 else "Asia/Shanghai")
        history = []
        for _ in range(60):
            item = rng.choice(library)
            day = START - dt.timedelta(days=rng.randint(1, 30))
            window = rng.choice(DEFAULT_WINDOWS)
            at = slot_time(seed=7, persona_id=persona_id, day=day, window=window, tz=tz)
            history.append(PastPost(item.id, item.category, day, window.key, at))
        kept = []
        for n, window in enumerate(rng.sample(DEFAULT_WINDOWS, 2)):
            day = START + dt.timedelta(days=rng.randrange(days))
            category = AD if n == 0 and rng.random() < 0.3 else rng.choice(("story", "value"))
            item = rng.choice(by_category[category])
            at = slot_time(seed=7, persona_id=persona_id, day=day, window=window, tz=tz)
            kept.append(KeptPost(day, window.key, item.id, category, at))
        interest = {
            t: round(rng.uniform(0.5, 6.0), 2) for t in rng.sample(TOPICS, rng.randint(0, 5))
        }
        requests.append(
            PlanRequest(
                persona_id=persona_id,
                start=START,
                days=days,
                tz=tz,
                library=library,
                history=history,
                kept=kept,
                nurturing=persona_id % 10 == 3,
                topic_interest=interest,
                seed=2025,
            )
        )
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--library", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(20250303)
    library = make_library(rng, args.library)
    requests = make_requests(rng, args.personas, args.days, library)
    slots = args.personas * args.days * len(DEFAULT_WINDOWS)

    print("planner benchmark: pure Python, in memory, no database")
    print(
        f"data: {args.personas} personas x {args.days} days x {len(DEFAULT_WINDOWS)} windows "
        f"= {slots} slots; library {args.library} items; 60 history posts and 2 kept posts "
        f"per persona; Python {sys.version.split()[0]}"
    )
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        plans = [plan(request) for request in requests]
        runs.append(time.perf_counter() - started)
    posts = sum(len(p.posts) for p in plans)
    unfilled = [u for p in plans for u in p.unfilled]
    codes: dict[str, int] = {}
    for slot in unfilled:
        codes[slot.reason_code] = codes.get(slot.reason_code, 0) + 1
    per_category = {
        c: sum(1 for p in plans for x in p.posts if x.category == c) for c in CATEGORIES
    }
    best, median = min(runs), statistics.median(runs)
    print(f"runs: {args.repeat}; total time per run: best {best:.3f} s, median {median:.3f} s")
    print(
        f"per persona: mean {1000 * median / args.personas:.2f} ms (median run), "
        f"best {1000 * best / args.personas:.2f} ms"
    )
    print(f"planned posts: {posts} {per_category}; kept: {2 * args.personas}")
    print(f"unfilled slots: {len(unfilled)} {dict(sorted(codes.items()))}")


if __name__ == "__main__":
    main()
