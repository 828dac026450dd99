"""Benchmark: lead warmth at scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_warmth_bench \
        .venv/bin/python bench/warmth.py [--scale 1.0] [--log 2000] [--keep]

At scale 1: 200 agents in 10 teams (each team's lead is one of them), 200,000 contacts and
2,000,000 interactions spread over the last 180 days, loaded with COPY. Then prints:

- interactions logged per second through ``interaction_log`` (the service pages and API use,
  one transaction each, sequential, in this process);
- the time to list the 50 hottest leads of one agent and of a whole team through
  ``selectors.contact_hottest`` (median of 15 runs, and PostgreSQL's own execution time),
  beside the plain ``visible_to(lead).active().hottest(50)``, with the agent query's plan;
- the full recompute (``warmth_recompute``: one statement, every team's half-life, contacts
  without history included, unchanged rows skipped) beside one hand-written statement doing
  the same for a single half-life, each from the same starting state (all scores zeroed), in
  the same run, twice each alternately; and the recompute again when nothing changed.

Figures, not verdicts. The database is migrated first; earlier bench rows (users "wbench-*")
are deleted. Use a database of its own.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import warmth
from contacts.models import Contact, InteractionKind
from contacts.selectors import contact_hottest
from contacts.services import interaction_log, warmth_recompute
from crm.models import Team, User
from crm.roles import Role

PREFIX = "wbench-"
TEAMS = 10
DAYS = 180


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def clean() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM crm_user WHERE username LIKE %s", [PREFIX + "%"])
        ids = [row[0] for row in cur.fetchall()]
        if not ids:
            return
        cur.execute("DELETE FROM contacts_alert WHERE owner_id = ANY(%s)", [ids])
        cur.execute(
            "DELETE FROM contacts_interaction WHERE contact_id IN "
            "(SELECT id FROM contacts_contact WHERE owner_id = ANY(%s))",
            [ids],
        )
        cur.execute("DELETE FROM contacts_contact WHERE owner_id = ANY(%s)", [ids])
        cur.execute("UPDATE crm_team SET lead_id = NULL WHERE lead_id = ANY(%s)", [ids])
        cur.execute("DELETE FROM crm_user WHERE id = ANY(%s)", [ids])
        cur.execute("DELETE FROM crm_team WHERE name LIKE %s", [PREFIX + "%"])


def make_people(agents: int) -> tuple[list[User], list[User]]:
    teams = [Team.objects.create(name=f"{PREFIX}team-{t}") for t in range(TEAMS)]
    users = []
    for i in range(agents):
        user = User(
            username=f"{PREFIX}{i}",
            role=Role.LEAD if i < TEAMS else Role.AGENT,
            team=teams[i % TEAMS],
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    for team, lead in zip(teams, users[:TEAMS], strict=True):
        team.lead = lead
        team.save(update_fields=["lead"])
    return users[TEAMS:], users[:TEAMS]


def load(owners: list[User], contacts: int, interactions: int, rng: random.Random) -> None:
    now = timezone.now()
    raw = connection.connection  # the psycopg connection under Django's
    with raw.cursor() as cur:
        with cur.copy(
            "COPY contacts_contact (owner_id, name, remark, wechat_id, phone, source, city, "
            "stage, notes, marketing_consent, warmth_ref, created, updated) FROM STDIN"
        ) as copy:
            for i in range(contacts):
                copy.write_row(
                    (
                        owners[i % len(owners)].pk,
                        f"客户{i}",
                        "",
                        "",
                        "",
                        "转介绍",
                        "上海",
                        "new_friend",
                        "",
                        False,
                        0.0,
                        now,
                        now,
                    )
                )
        cur.execute(
            "SELECT id, owner_id FROM contacts_contact WHERE owner_id = ANY(%s) ORDER BY id",
            [[o.pk for o in owners]],
        )
        owner_of = dict(cur.fetchall())
        ids = list(owner_of)
        kinds = list(InteractionKind.objects.exclude(code="unfriended").values_list("pk", "weight"))
        # A few leads are busy, most are quiet: weight the choice of contact by a Pareto draw.
        busy = [rng.paretovariate(1.5) for _ in ids]
        picks = rng.choices(ids, weights=busy, k=interactions)
        span = DAYS * 86400
        with cur.copy(
            "COPY contacts_interaction (contact_id, owner_id, kind_id, at, note, weight, created)"
            " FROM STDIN"
        ) as copy:
            for contact_id in picks:
                kind_id, weight = kinds[rng.randrange(len(kinds))]
                at = now - timedelta(seconds=rng.random() * span)
                copy.write_row((contact_id, owner_of[contact_id], kind_id, at, "", weight, at))
    raw.commit() if not raw.autocommit else None
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE contacts_contact")
        cur.execute("VACUUM ANALYZE contacts_interaction")


HAND_WRITTEN = """
UPDATE contacts_contact AS c
SET warmth_ref = s.score, last_interaction_at = s.last_at
FROM (
    SELECT contact_id,
           SUM(weight * POWER(2.0::float8, (date_part('epoch', at) - %s::float8)
               / 1209600.0::float8)) AS score,
           MAX(at) AS last_at
    FROM contacts_interaction
    GROUP BY contact_id
) AS s
WHERE c.id = s.contact_id
"""


def zero_scores() -> None:
    with connection.cursor() as cur:
        cur.execute("UPDATE contacts_contact SET warmth_ref = 0, last_interaction_at = NULL")
        # Same starting state for every timed run: no dead rows, fresh statistics, clean pages.
        cur.execute("VACUUM ANALYZE contacts_contact")
        cur.execute("CHECKPOINT")


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def hand_written() -> int:
    with connection.cursor() as cur:
        cur.execute(HAND_WRITTEN, [warmth.REFERENCE.timestamp()])
        return cur.rowcount


def median_ms(fn, runs: int = 15) -> str:
    fn()  # warm the cache
    times = []
    for _ in range(runs):
        t, _ = timed(fn)
        times.append(t)
    return ms(statistics.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--log", type=int, default=2000, help="interactions to log one by one")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://...")
    rng = random.Random(args.seed)
    contacts = int(200_000 * args.scale)
    interactions = int(2_000_000 * args.scale)
    agents = max(TEAMS * 2, int(200 * args.scale))

    call_command("migrate", verbosity=0)
    clean()
    owners, leads = make_people(agents)
    t, _ = timed(lambda: load(owners + leads, contacts, interactions, rng))
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(",")[0]
    print(f"{version}; {os.cpu_count()} CPUs")
    print(
        f"Scale {args.scale}: {agents} agents in {TEAMS} teams, {contacts:,} contacts, "
        f"{interactions:,} interactions over {DAYS} days; loaded with COPY in {t:.1f} s\n"
    )

    print("Full recompute from history (all scores zeroed before each run):")
    rows = {}
    for round_ in (1, 2):
        zero_scores()
        t_hand, rows["hand"] = timed(hand_written)
        zero_scores()
        t_ours, rows["ours"] = timed(warmth_recompute)
        print(
            f"  round {round_}: warmth_recompute {t_ours:.2f} s ({rows['ours']:,} rows), "
            f"hand-written statement {t_hand:.2f} s ({rows['hand']:,} rows), "
            f"ratio {t_ours / t_hand:.2f}"
        )
    t_again, changed = timed(warmth_recompute)
    print(f"  again with nothing to change: {t_again:.2f} s ({changed} rows written)\n")

    agent = owners[0]
    lead = leads[0]
    now = timezone.now()

    def hottest(user):
        return lambda: contact_hottest(user=user, n=50)

    def plain(user):
        return lambda: list(Contact.objects.visible_to(user).active().hottest(50))

    def server_ms(user) -> str:
        """PostgreSQL's own execution time of the selector's last (merging) statement."""
        with CaptureQueriesContext(connection) as queries:
            contact_hottest(user=user, n=50)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + queries.captured_queries[-1]["sql"])
            return f"{cur.fetchone()[0][0]['Execution Time']:.2f} ms"

    def plain_server_ms(user) -> str:
        plan = Contact.objects.visible_to(user).active().hottest(50).explain(analyze=True)
        return plan.splitlines()[-1].split(": ")[-1]

    team_size = Contact.objects.visible_to(lead).count()
    print("50 hottest leads (median of 15 wall-clock, Python included; then the server's time):")
    print(
        f"  one agent ({Contact.objects.filter(owner=agent).count():,} contacts), "
        f"selectors.contact_hottest: {median_ms(hottest(agent))} "
        f"(server {server_ms(agent)})"
    )
    print(
        f"  a whole team as its lead ({team_size:,} contacts), selectors.contact_hottest: "
        f"{median_ms(hottest(lead))} (server {server_ms(lead)})"
    )
    print(
        f"  the same through visible_to(lead).active().hottest(50): {median_ms(plain(lead))} "
        f"(server {plain_server_ms(lead)})"
    )
    hot = Contact.objects.visible_to(agent).active().hot(now)
    print(f"  the agent's hot tier by index range: {median_ms(lambda: list(hot[:50]))}")
    plan = Contact.objects.visible_to(agent).active().hottest(50).explain()
    print("  plan for one agent:")
    for line in plan.splitlines()[:4]:
        print("    " + line)

    ids = list(Contact.objects.filter(owner__in=owners).values_list("pk", flat=True))
    chosen = list(
        Contact.objects.filter(pk__in=rng.sample(ids, min(args.log, len(ids)))).select_related(
            "owner"
        )
    )
    kinds = list(InteractionKind.objects.exclude(code="unfriended"))

    def commit_latency() -> float:
        started = time.perf_counter()
        for contact in chosen[:100]:
            with transaction.atomic():
                Contact.objects.filter(pk=contact.pk).update(notes="")
        return (time.perf_counter() - started) / min(100, len(chosen))

    def log_all(batch: list[Contact]) -> None:
        local = random.Random(batch[0].pk if batch else 0)
        for contact in batch:
            interaction_log(contact=contact, kind=local.choice(kinds), by=contact.owner)
        connection.close()

    print(f"\nOne UPDATE + COMMIT on this disk (the floor): {ms(commit_latency())}")
    half = len(chosen) // 2
    started = time.perf_counter()
    log_all(chosen[:half])
    elapsed = time.perf_counter() - started
    print(
        f"Logging through interaction_log, one process: {half:,} interactions in "
        f"{elapsed:.2f} s = {half / elapsed:,.0f} per second (one transaction each)"
    )
    threads = 8
    rest = chosen[half:]
    chunks = [rest[i::threads] for i in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(log_all, chunks))
    elapsed = time.perf_counter() - started
    print(
        f"Logging through interaction_log, {threads} threads: {len(rest):,} interactions in "
        f"{elapsed:.2f} s = {len(rest) / elapsed:,.0f} per second"
    )


if __name__ == "__main__":
    main()
