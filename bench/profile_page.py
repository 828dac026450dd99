"""Time the issue's pages in-process on the seeded data: median time and queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench \
        .venv/bin/python bench/profile_page.py [--repeat 20] [--json] [--compare REV]
    DATABASE_URL=… .venv/bin/python bench/profile_page.py /schedule/team/ --user bench-lead-01

Without a path it serves each page of the issue through Django's full stack (middleware,
session, templates; ``DEBUG=0``) ``--repeat`` times after two warm-up requests and prints one
line a page: the median time, the median CPU time of this process, the time spent waiting for
PostgreSQL, the queries per request and the body size, against the target (median within
25 ms). The pages, as ``--agent`` (default ``bench-agent-0021``) or ``--lead`` (default
``bench-lead-01``) sees them: the agent's home, contact list first page and last page, the
lead's team list first and last page, the team week and the lead's home, and the API's
contact list, first page and last. A last page is found as a person finds it, by following
the page's "Next" link (``rel="next"``; the API's ``next``), so nothing here depends on how
a page is built. At ``seed_bench`` scale 1 the lead's last page is 400 pages on: finding it
takes about half a minute.

With a path it serves that one page as ``--user`` and adds pyinstrument's call tree of as
many more requests (``--no-tree`` to leave it out).

``--compare REV`` measures ``REV`` too (checked out into a temporary worktree, see
``bench/worktree.py``; on its own copy of the database when the migrations differ) and this
tree (or ``--after REV2``, checked out likewise), ``--rounds`` times each in alternation,
each in its own process, and prints both columns. Needs ``manage.py seed_bench``'s data.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The tree whose code is measured: this one, or the "before" checkout of --compare.
TREE = Path(os.environ.get("BENCH_TREE") or HERE.parent)
TARGET_MS = 25.0
NEXT_LINK = re.compile(r"<a\b[^>]*>", re.I)


def setup_django() -> None:
    sys.path.insert(0, str(TREE))
    os.chdir(TREE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"  # the production code paths (templates cached, no debug toolbar)
    import django

    django.setup()
    from django.core.management import call_command

    # DEBUG=0 serves the static files' names from the manifest; the bench users read Chinese,
    # and without the compiled catalogue the pages would be drawn in English.
    sys.path.insert(0, str(HERE))
    from worktree import static_is_stale

    if os.environ.get("STATIC_ROOT") or static_is_stale(TREE):
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("compilemessages", ignore_patterns=[".venv", "var"], verbosity=0)


class _Timed:
    """An execute wrapper that notes how long each statement took, to the microsecond (the
    captured queries' times are rounded to the millisecond, a page's four reads to 0 or 1 ms
    each)."""

    def __init__(self, waits: list[float]) -> None:
        self.waits = waits

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.waits.append(time.perf_counter() - started)


def next_link(body: str) -> str | None:
    """The href of the page's ``<a rel="next">``, if it has one."""
    for tag in NEXT_LINK.findall(body):
        if re.search(r"""\brel=["']?next\b""", tag):
            href = re.search(r"""\bhref=["']([^"']*)["']""", tag)
            if href:
                return html.unescape(href.group(1))
    return None


def last_page(client, path: str, api: bool = False) -> tuple[str, int]:
    """The path of the last page of the list at ``path``, by following "Next" (the API's
    ``next``); and how many pages that was."""
    pages = 1
    while True:
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path}: HTTP {response.status_code}")
        nxt = response.json().get("next") if api else next_link(response.content.decode())
        if not nxt:
            return path, pages
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(path, nxt))
        path = parts.path + ("?" + parts.query if parts.query else "")
        pages += 1


def measure(client, path: str, repeat: int) -> dict:
    """Median wall time, CPU time and PostgreSQL wait of ``repeat`` requests, after two."""
    from django.db import connection

    for _ in range(2):
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path}: HTTP {response.status_code}")
    times, cpu_times, db_times, counts = [], [], [], []
    for _ in range(repeat):  # timed without the profiler: it costs time itself
        waits: list[float] = []
        with connection.execute_wrapper(_Timed(waits)):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - started_cpu)
        counts.append(len(waits))
        db_times.append(sum(waits))
    return {
        "median_ms": 1000 * statistics.median(times),
        "cpu_ms": 1000 * statistics.median(cpu_times),
        "db_ms": 1000 * statistics.median(db_times),
        "queries": statistics.median(counts),
        "queries_max": max(counts),
        "kib": len(response.content) / 1024,
    }


def pages(agent: str, lead: str) -> list[tuple[str, str, str, str]]:
    """(key, label, username, path or ``last:`` + path of the list)."""
    return [
        ("home_agent", "agent home", agent, "/"),
        ("contacts_first", "contacts, first page", agent, "/contacts/"),
        ("contacts_deep", "contacts, last page", agent, "last:/contacts/"),
        ("team_list_first", "lead's team list, first page", lead, "/contacts/"),
        ("team_list_deep", "lead's team list, last page", lead, "last:/contacts/"),
        ("team_week", "team week", lead, "/schedule/team/"),
        ("home_lead", "lead home", lead, "/"),
        ("api_first", "API contacts, first page", agent, "/api/v1/contacts/"),
        ("api_deep", "API contacts, last page", agent, "apilast:/api/v1/contacts/"),
    ]


def clients(usernames: set[str]) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    found = {}
    for name in sorted(usernames):
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            sys.exit(f"no user {name}: run `manage.py seed_bench` against this database first")
        client = Client()
        client.force_login(user)
        found[name] = client
    return found


def measure_pages(args: argparse.Namespace) -> list[dict]:
    from django.test.utils import override_settings

    chosen = pages(args.agent, args.lead)
    if args.only:
        wanted = {k.strip() for k in args.only.split(",")}
        chosen = [p for p in chosen if p[0] in wanted]
    results = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        by_name = clients({p[2] for p in chosen})
        for key, label, username, where in chosen:
            client = by_name[username]
            depth = 1
            if where.startswith(("last:", "apilast:")):
                kind, start = where.split(":", 1)
                path, depth = last_page(client, start, api=kind == "apilast")
            else:
                path = where
            figures = measure(client, path, args.repeat)
            shown = path.split("?cursor=")[0] + ("?cursor=…" if "?cursor=" in path else "")
            results.append(
                {"key": key, "label": label, "user": username, "path": shown, "page": depth}
                | figures
            )
            print(f"  {label}: {figures['median_ms']:.1f} ms", file=sys.stderr, flush=True)
    return results


def scale_note() -> str:
    from django.contrib.auth import get_user_model
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contacts_contact")
        contacts = cursor.fetchone()[0]
    users = get_user_model().objects.filter(username__startswith="bench-").count()
    return f"{contacts:,} contacts, {users} bench users, {connection.vendor}"


def print_table(results: list[dict], repeat: int) -> None:
    print(
        f"{'page':<34}{'user':<18}{'median ms':>10}{'CPU ms':>8}{'DB ms':>7}{'queries':>8}"
        f"{'KiB':>6}  target ≤ {TARGET_MS:.0f} ms ({repeat} requests each)"
    )
    for r in results:
        label = r["label"] + (f" ({r['page']})" if r["page"] > 1 else "")
        verdict = "met" if r["median_ms"] <= TARGET_MS else "MISSED"
        print(
            f"{label:<34}{r['user']:<18}{r['median_ms']:>10.1f}{r['cpu_ms']:>8.1f}"
            f"{r['db_ms']:>7.1f}{r['queries']:>8.0f}{r['kib']:>6.0f}  {verdict}"
        )


def profile_one(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings
    from pyinstrument import Profiler

    user = get_user_model().objects.get(username=args.user)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = clients({args.user})[args.user]
        figures = measure(client, args.path, args.repeat)
        profiler = Profiler(interval=args.interval, use_timing_thread=True)
        if not args.no_tree:
            profiler.start()
            for _ in range(args.repeat):
                client.get(args.path)
            profiler.stop()
    total, db = figures["median_ms"], figures["db_ms"]
    print(
        f"GET {args.path} as {args.user} ({user.get_role_display()}), {args.repeat} requests: "
        f"median {total:.1f} ms, of which waiting for PostgreSQL {db:.1f} ms "
        f"({db / total:.0%}); CPU time of this process {figures['cpu_ms']:.1f} ms (less "
        f"disturbed by other processes); {figures['queries']:.0f} queries; "
        f"{figures['kib']:.0f} KiB of body"
    )
    if not args.no_tree:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def run_side(tree: Path, database_url: str, args: argparse.Namespace) -> list[dict]:
    """This script run on ``tree``'s code in a process of its own; its figures."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--json", "--repeat", str(args.repeat)]
    argv += ["--agent", args.agent, "--lead", args.lead]
    if args.only:
        argv += ["--only", args.only]
    env = {**os.environ, "BENCH_TREE": str(tree), "DATABASE_URL": database_url}
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"profile_page on {tree} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return json.loads(line.removeprefix("BENCH_JSON "))["pages"]


def compare(args: argparse.Namespace) -> None:
    from worktree import ROOT, checkout, database_for_before, drop_database, prepare_tree, short

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--compare needs DATABASE_URL=postgres://… with seed_bench's data")
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(checkout(args.compare))
        after = stack.enter_context(checkout(args.after)) if args.after else ROOT
        prepare_tree(after, database_url)
        before_url, note = database_for_before(before, database_url, after)
        prepare_tree(before, before_url)
        runs: dict[str, list[list[dict]]] = {"before": [], "after": []}
        try:
            for n in range(args.rounds):
                for side in ("before", "after") if n % 2 == 0 else ("after", "before"):
                    print(f"[round {n + 1}] {side} …", file=sys.stderr, flush=True)
                    tree, url = (before, before_url) if side == "before" else (after, database_url)
                    runs[side].append(run_side(tree, url, args))
        finally:
            if before_url != database_url:
                drop_database(before_url)
    labels = {
        "before": short(args.compare),
        "after": short(args.after) if args.after else short("HEAD") + " (this tree)",
    }
    print(f"profile_page, before {labels['before']} vs after {labels['after']}: {note}")
    print(
        f"median in-process ms of {args.repeat} requests (and the process's CPU ms, less "
        f"disturbed by other processes), median over {args.rounds} round(s) taken in "
        f"alternation; queries per request; target ≤ {TARGET_MS:.0f} ms"
    )
    print(
        f"{'page':<30}{'before ms':>10}{'after ms':>10}{'before CPU':>11}{'after CPU':>10}"
        f"{'before q':>9}{'after q':>8}  after"
    )
    combined: dict[str, list[dict]] = {}
    for side in ("before", "after"):
        keyed: dict[str, list[dict]] = {}
        for run in runs[side]:
            for r in run:
                keyed.setdefault(r["key"], []).append(r)
        combined[side] = [
            rs[0]
            | {
                "median_ms": statistics.median(x["median_ms"] for x in rs),
                "cpu_ms": statistics.median(x["cpu_ms"] for x in rs),
            }
            for rs in keyed.values()
        ]
    before_by_key = {r["key"]: r for r in combined["before"]}
    for r in combined["after"]:
        b = before_by_key.get(r["key"], {})
        verdict = "met" if r["median_ms"] <= TARGET_MS else "MISSED"
        print(
            f"{r['label']:<30}{b.get('median_ms', float('nan')):>10.1f}{r['median_ms']:>10.1f}"
            f"{b.get('cpu_ms', float('nan')):>11.1f}{r['cpu_ms']:>10.1f}"
            f"{b.get('queries', 0):>9.0f}{r['queries']:>8.0f}  {verdict}"
        )
    if args.json:
        summary = {"before": labels["before"], "note": note, **combined}
        print("BENCH_JSON " + json.dumps(summary, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", help="one page to profile (default: the issue's)")
    parser.add_argument("--user", default="bench-agent-0021", help="with a path: as whom")
    parser.add_argument("--agent", default="bench-agent-0021")
    parser.add_argument("--lead", default="bench-lead-01")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="comma-separated page keys (home_agent, team_week, …)")
    parser.add_argument("--no-tree", action="store_true")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval (s)")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    parser.add_argument("--compare", metavar="REV", help="measure REV too, side by side")
    parser.add_argument("--after", metavar="REV", help="with --compare: REV, not this tree")
    parser.add_argument("--rounds", type=int, default=1, help="with --compare: rounds each")
    args = parser.parse_args()
    if args.compare:
        sys.path.insert(0, str(HERE))
        compare(args)
        return
    setup_django()
    if args.path:
        profile_one(args)
        return
    results = measure_pages(args)
    print(f"in-process page times, DEBUG=0, tree {TREE.name}; data: {scale_note()}")
    print_table(results, args.repeat)
    if args.json:
        print("BENCH_JSON " + json.dumps({"pages": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
