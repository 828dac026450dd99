"""Every planner rule, checked on random libraries, windows, histories, kept posts and seeds.

The checks below re-derive each rule from the request and the plan alone (an oracle written
independently of the planner's internals), so a planner that cuts a corner fails here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import replace
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.planner import (
    AD,
    CATEGORIES,
    REASON_TEMPLATES,
    KeptPost,
    LibraryItem,
    PastPost,
    Plan,
    PlanRequest,
    WindowSpec,
    plan,
)

UTC = dt.UTC
NOTHING = object()
TOPICS = ("education", "retirement", "health", "travel", "family", "car")
ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC")
# Start dates next to clock changes, so DST turns up often rather than by luck.
NEAR_CLOCK_CHANGES = (
    dt.date(2025, 3, 5),  # New York springs forward on 9 March
    dt.date(2025, 3, 27),  # London on 30 March
    dt.date(2025, 4, 3),  # Lord Howe falls back half an hour on 6 April
    dt.date(2025, 10, 2),  # Lord Howe springs forward on 5 October
    dt.date(2025, 10, 23),  # London falls back on 26 October
    dt.date(2025, 10, 30),  # New York falls back on 2 November
)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------- strategies


def minute(m: int, second: int = 0) -> dt.time:
    return dt.time(m // 60, m % 60, second)


# Strategies are built once here: building them inside a composite per draw is what makes
# generation slow.
WINDOW_ROWS = st.lists(
    st.tuples(
        # Start minute, often around 01:00-03:00 where clocks change; length; weekdays.
        st.one_of(st.integers(0, 1437), st.integers(45, 180)),
        st.integers(2, 240),
        st.frozensets(st.integers(0, 6), min_size=1),
    ),
    min_size=1,
    max_size=4,
)
DAY_OFFSET = st.none() | st.integers(-10, 24)
LIBRARY_ROWS = st.lists(
    st.tuples(
        st.sampled_from(CATEGORIES),
        st.frozensets(st.sampled_from(TOPICS), max_size=3),
        DAY_OFFSET,
        DAY_OFFSET,
        st.booleans() | st.just(True),
    ),
    max_size=30,
)
HISTORY_ROWS = st.lists(
    st.tuples(st.integers(-45, 60), st.integers(1, 33), st.integers(0, 1439)), max_size=15
)
KEPT_ROWS = st.lists(
    st.tuples(
        st.integers(0, 13),
        st.integers(0, 4),  # a window index, or "elsewhere" past the last one
        st.integers(1, 33),
        st.none() | st.integers(0, 1439),
    ),
    max_size=6,
)
MIXES = st.fixed_dictionaries({c: st.integers(0, 100) for c in CATEGORIES})
INTERESTS = st.dictionaries(st.sampled_from(TOPICS), st.floats(-2, 5, allow_nan=False), max_size=3)
STARTS = st.one_of(
    st.sampled_from(NEAR_CLOCK_CHANGES), st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))
)


@st.composite
def requests(draw, *, ample: bool = False) -> PlanRequest:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = draw(STARTS)
    days = draw(st.integers(1, 14))

    def on(offset: int) -> dt.date:
        return start + dt.timedelta(days=offset)

    windows = [
        WindowSpec(f"w{n}", f"Window {n}", minute(first), minute(min(first + length, 1439)), wd)
        for n, (first, length, wd) in enumerate(draw(WINDOW_ROWS))
    ]
    library = [
        LibraryItem(
            n,
            category,
            topics,
            None if since is None else on(since),
            None if until is None else on(until),
            compliant,
        )
        for n, (category, topics, since, until, compliant) in enumerate(draw(LIBRARY_ROWS), 1)
    ]
    # Content ids past the library's are posts of content since retired.
    category_of = {i.id: i.category for i in library}

    def category_for(content_id: int) -> str:
        return category_of.get(content_id) or CATEGORIES[content_id % 3]

    history = [
        PastPost(
            content_id,
            category_for(content_id),
            on(offset),
            "w0",
            dt.datetime.combine(on(offset), minute(m, 15), tzinfo=tz),
        )
        for offset, content_id, m in draw(HISTORY_ROWS)
    ]
    kept = []
    taken = set()
    for offset, index, content_id, m in draw(KEPT_ROWS):
        day = on(offset % days)
        key = windows[index].key if index < len(windows) else "elsewhere"
        if (day, key) in taken:
            continue
        taken.add((day, key))
        # Seconds = 30 keep kept posts off the planner's whole minutes (no ties to order).
        at = None if m is None else dt.datetime.combine(day, minute(m, 30), tzinfo=tz)
        kept.append(KeptPost(day, key, content_id, category_for(content_id), at))

    mix = draw(MIXES)
    if ample:
        # The claim about the mix: a library that never runs dry, nothing kept, ads <= 25 %.
        slots = days * len(windows)
        library = [
            LibraryItem(n * 1000 + i, category, frozenset({TOPICS[i % len(TOPICS)]}))
            for n, category in enumerate(CATEGORIES)
            for i in range(slots + 1)
        ]
        kept = []
        history = [h for h in history if h.local_date < start]
        mix[AD] = min(mix[AD], (mix["story"] + mix["value"]) // 3)
    if not any(mix.values()):
        mix["story"] = 1
    # "Now", somewhere in the range (or none): the slots up to it are past.
    now = None if ample else draw(st.none() | st.integers(0, days * 24 * 60))
    not_before = (
        None
        if now is None
        else dt.datetime.combine(start, dt.time.min, tzinfo=tz) + dt.timedelta(minutes=now)
    )
    return PlanRequest(
        persona_id=draw(st.integers(1, 10**6)),
        start=start,
        days=days,
        tz=tz,
        windows=windows,
        library=library,
        history=history,
        kept=kept,
        mix=mix,
        nurturing=draw(st.booleans()),
        topic_interest=draw(INTERESTS),
        seed=draw(st.integers(0, 2**32)),
        reuse_days=draw(st.integers(1, 40)),
        not_before=not_before,
    )


# ------------------------------------------------------------------------ the oracle


def instant(at: dt.datetime) -> dt.datetime:
    return at.astimezone(UTC)


def fallback_at(req: PlanRequest, day: dt.date, key: str) -> dt.datetime:
    window = {w.key: w for w in req.windows}.get(key)
    return dt.datetime.combine(day, window.start if window else dt.time.min, tzinfo=req.tz)


def score(req: PlanRequest, item: LibraryItem) -> float:
    return sum(req.topic_interest.get(t, 0.0) for t in sorted(item.topics))


class Facts:
    """What a request and its plan say, in the shapes the rules are stated in."""

    def __init__(self, req: PlanRequest, result: Plan) -> None:
        self.req = req
        self.result = result
        self.first = req.start
        self.last = req.start + dt.timedelta(days=req.days - 1)
        self.windows = {w.key: w for w in req.windows}
        self.library = {i.id: i for i in req.library}
        self.kept = [k for k in req.kept if self.first <= k.local_date <= self.last]
        self.outside = [h for h in req.history if not self.first <= h.local_date <= self.last]
        # Every use of every content item, as (date, the planned post or None).
        self.uses: dict[int, list[tuple[dt.date, object]]] = defaultdict(list)
        for h in self.outside:
            self.uses[h.content_id].append((h.local_date, None))
        for k in self.kept:
            self.uses[k.content_id].append((k.local_date, None))
        for p in result.posts:
            self.uses[p.content_id].append((p.local_date, p))

    def free_for(self, item: LibraryItem, day: dt.date, *, besides: object = NOTHING) -> bool:
        """Compliant, in date and not used within reuse_days of ``day`` by anything else."""
        return (
            item.compliant
            and item.valid_on(day)
            and all(
                abs((day - used).days) >= self.req.reuse_days
                for used, post in self.uses.get(item.id, ())
                if post is not besides
            )
        )

    def timeline(self) -> list[tuple[str, object]]:
        """(category, planned post or None) for every post, history around the range included."""
        rows = [
            (
                (
                    k.local_date,
                    instant(k.at or fallback_at(self.req, k.local_date, k.window_key)),
                    0,  # at one instant: kept posts first, by window key, then content id
                    k.window_key,
                    k.content_id,
                ),
                k.category,
                None,
            )
            for k in self.kept
        ]
        rows += [
            ((p.local_date, instant(p.at), 1, p.window_key, 0), p.category, p)
            for p in self.result.posts
        ]
        rows.sort(key=lambda row: row[0])
        seq = [(category, post) for _, category, post in rows]

        def history_key(h: PastPost):
            return (h.local_date, instant(h.at), h.window_key, h.content_id)

        before = [h for h in self.outside if h.local_date < self.first]
        after = [h for h in self.outside if h.local_date > self.last]
        if before:
            seq.insert(0, (max(before, key=history_key).category, None))
        if after:
            seq.append((min(after, key=history_key).category, None))
        return seq


def check_slots(f: Facts) -> None:
    kept_slots = {(k.local_date, k.window_key) for k in f.kept}
    expected = set()
    day = f.first
    while day <= f.last:
        for w in f.req.windows:
            if day.weekday() in w.weekdays and (day, w.key) not in kept_slots:
                expected.add((day, w.key))
        day += dt.timedelta(days=1)
    planned = [(p.local_date, p.window_key) for p in f.result.posts]
    unfilled = [(u.local_date, u.window_key) for u in f.result.unfilled]
    assert len(planned) == len(set(planned)), "two posts in one slot"
    assert len(unfilled) == len(set(unfilled)), "a slot reported twice"
    assert not set(planned) & set(unfilled)
    assert set(planned) | set(unfilled) == expected, "every free slot is planned or reported"


def check_times(f: Facts) -> None:
    tz = f.req.tz
    for p in f.result.posts:
        window = f.windows[p.window_key]
        assert p.at.utcoffset() is not None
        wall = instant(p.at).astimezone(tz)
        # The wall time the post shows is the wall time it will happen at (it exists).
        assert wall.replace(tzinfo=None) == p.at.replace(tzinfo=None)
        assert wall.date() == p.local_date
        assert window.start <= wall.time() < window.end
        assert wall.minute != 0 and wall.second == 0 and wall.microsecond == 0
    times = [instant(p.at) for p in f.result.posts]
    assert times == sorted(times), "posts come in time order"
    if f.req.not_before is not None:
        assert all(instant(p.at) > instant(f.req.not_before) for p in f.result.posts), "past"


def check_content(f: Facts) -> None:
    for p in f.result.posts:
        item = f.library[p.content_id]
        assert item.category == p.category
        assert f.free_for(item, p.local_date, besides=p), (
            f"content {p.content_id} not compliant, out of date or reused on {p.local_date}"
        )


def check_ads(f: Facts) -> None:
    ads_per_day = Counter(k.local_date for k in f.kept if k.category == AD)
    ads_per_day.update(p.local_date for p in f.result.posts if p.category == AD)
    for p in f.result.posts:
        if p.category == AD:
            assert ads_per_day[p.local_date] == 1, f"two ads on {p.local_date}"
    seq = f.timeline()
    for (cat_a, post_a), (cat_b, post_b) in pairwise(seq):
        if post_a is not None or post_b is not None:
            assert not (cat_a == AD and cat_b == AD), "two ads in a row"
    if f.req.nurturing:
        assert all(p.category != AD for p in f.result.posts)
        per_day = Counter(p.local_date for p in f.result.posts)
        kept_days = {k.local_date for k in f.kept}
        assert all(n == 1 for n in per_day.values()), "nurturing: one post a day at most"
        assert not kept_days & set(per_day), "nurturing: no post added to a day with a kept one"
    weights = {c: f.req.mix.get(c, 0) for c in CATEGORIES}
    for p in f.result.posts:
        assert weights[p.category] > 0, "a category with weight 0 is never planned"


def check_preference(f: Facts) -> None:
    """No eligible item of the same category had a higher topic score than the one chosen."""
    for p in f.result.posts:
        chosen = score(f.req, f.library[p.content_id])
        for item in f.req.library:
            if item.category == p.category and item.id != p.content_id:
                better = score(f.req, item) > chosen
                assert not (better and f.free_for(item, p.local_date)), (
                    f"item {item.id} scored higher than {p.content_id} and was free"
                )


def check_reasons(f: Facts) -> None:
    nothing_free = {
        (day, category)
        for day in {p.local_date for p in f.result.posts}
        | {u.local_date for u in f.result.unfilled}
        for category in CATEGORIES
        if not any(i.category == category and f.free_for(i, day) for i in f.req.library)
    }
    weights = {c: f.req.mix.get(c, 0) for c in CATEGORIES}
    if f.req.nurturing:
        weights[AD] = 0
    tried_per_day = Counter(p.local_date for p in f.result.posts)
    tried_per_day.update(
        u.local_date
        for u in f.result.unfilled
        if u.reason_code not in {"nurturing_rest", "no_valid_time", "past"}
    )
    kept_days = {k.local_date for k in f.kept}
    for row in (*f.result.posts, *f.result.unfilled):
        assert row.reasons and row.reason and row.reason_code in REASON_TEMPLATES
        assert row.reason[0].isupper()
        for part in row.reasons:
            assert part.code in REASON_TEMPLATES
            assert part.text  # formats with its own params
            if part.code == "no_content":
                # The library truly had nothing of that category free that day.
                assert (row.local_date, part.params["category"]) in nothing_free
                assert part.params["reuse_days"] == f.req.reuse_days
    for p in f.result.posts:
        assert p.reason_code in {"mix", "mix_next"}
        assert p.reason_params["category"] == p.category
    for u in f.result.unfilled:
        if u.reason_code == "nurturing_rest":
            # The day's one post went (or was tried) elsewhere, or a kept post has the day.
            assert f.req.nurturing
            assert u.local_date in kept_days or tried_per_day[u.local_date] == 1
        elif u.reason_code == "no_valid_time":
            window = f.windows[u.window_key]
            for t in window.minutes:
                local = dt.datetime.combine(u.local_date, t, tzinfo=f.req.tz)
                back = instant(local).astimezone(f.req.tz).replace(tzinfo=None)
                assert back != local.replace(tzinfo=None), "that minute exists"
        elif u.reason_code == "past":
            # The slot's window had begun by then (its time is in the window, up to now).
            now = f.req.not_before
            assert now is not None
            window = f.windows[u.window_key]
            start = dt.datetime.combine(u.local_date, window.start, tzinfo=f.req.tz)
            assert instant(start) <= instant(now)
        elif u.reason_code == "ad_rules":
            assert [c for c in CATEGORIES if weights[c] > 0] == [AD]
        elif u.reason_code == "mix_empty":
            assert not any(weights.values())
        else:
            assert u.reason_code == "no_content"


def check_all(req: PlanRequest, result: Plan) -> None:
    facts = Facts(req, result)
    check_slots(facts)
    check_times(facts)
    check_content(facts)
    check_ads(facts)
    check_preference(facts)
    check_reasons(facts)


# ---------------------------------------------------------------------------- tests


@FAST
@given(requests())
def test_every_rule_holds_for_random_requests(req):
    check_all(req, plan(req))


@FAST
@given(requests(ample=True))
def test_mix_stays_within_one_post_of_target_when_the_library_allows(req):
    result = plan(req)
    check_all(req, result)
    weights = {c: req.mix.get(c, 0) for c in CATEGORIES}
    if req.nurturing:
        weights[AD] = 0
    total_weight = sum(weights.values())
    # An ample library fills every slot that has a valid time and is not a nurturing rest.
    assert {u.reason_code for u in result.unfilled} <= {"no_valid_time", "nurturing_rest"}
    counts = Counter(p.category for p in result.posts)
    n = len(result.posts)
    for category in CATEGORIES:
        # |count - share * N| < 1, in integers: |count * W - weight * N| < W.
        assert abs(counts[category] * total_weight - weights[category] * n) < total_weight, (
            category,
            counts,
            n,
            weights,
        )


@FAST
@given(requests(), st.randoms(use_true_random=False))
def test_same_request_same_plan_whatever_the_order_of_its_lists(req, rnd: random.Random):
    def shuffled(rows):
        rows = list(rows)
        rnd.shuffle(rows)
        return rows

    again = replace(
        req,
        windows=shuffled(req.windows),
        library=shuffled(req.library),
        history=shuffled(req.history),
        kept=shuffled(req.kept),
    )
    assert plan(req) == plan(again)
