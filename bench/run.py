"""Run every benchmark, print one table, write the same figures to bench/results/latest.json.

    .venv/bin/python bench/run.py [--only seed,web,profile,capacity,warmth,planner,dispatch,
        compliance,import] [--skip …] [--scale 1.0] [--seed 2026] [--keep-data]
        [--web-duration 30] [--users 20] [--compare REV] [--capacity-steps 250,500,…]

Against the local PostgreSQL and Redis by default (``DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/siyu_bench``; ``REDIS_URL``, default
``redis://127.0.0.1:6379/15``). Three databases, created when missing and migrated:

- ``siyu_bench``: ``manage.py seed_bench`` writes the data set (timed); the web load, the
  in-process page times (``bench/profile_page.py``) and the capacity ladder
  (``bench/capacity.py``) run on it;
- ``siyu_bench_warmth``: ``bench/warmth.py`` loads its own 200,000 contacts there (it
  recomputes every contact in its database, so it needs one of its own);
- ``siyu_bench_jobs``: ``bench/dispatch.py`` and ``bench/import_contacts.py`` add their rows.

Each benchmark is its own script, run as a subprocess (``--scale`` is passed on as each one
takes it); this script reads the figures from what they print, so a script's output changing
shows here as "?" with the raw output kept in the JSON and in ``var/bench/<name>.log``.
Targets are the performance issues'; the verdict column compares with them. ``--compare REV``
runs the page times and the capacity ladder against ``REV`` too (a temporary worktree, see
``bench/worktree.py``) and notes its figures beside this tree's. Figures depend
on the machine and on what else runs on it: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/siyu_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
BENCHES = [
    "seed",
    "web",
    "profile",
    "capacity",
    "warmth",
    "planner",
    "compliance",
    "dispatch",
    "import",
]
# The targets for pages: p95 within 150 ms under the 20-connection load (the ratio to the
# floor is shown, no longer judged); a deep page "as fast as the first" (read here as: its
# p95 within 1.25x the first page's, for noise); each page's median in process within 25 ms.
PAGE_P95_MS = 150.0
DEEP_TOLERANCE = 1.25
PAGE_MEDIAN_MS = 25.0
# The capacity ladder: simulated active users held with p95 within 300 ms and no errors.
CAPACITY_USERS = 2000


@dataclass
class Row:
    bench: str
    figure: str
    value: float | None
    unit: str
    target: str = "—"
    verdict: str = ""  # "met", "MISSED" or "" (no target)
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "?"
        if self.unit == "s":
            return f"{self.value:,.2f} s"
        if self.unit == "ms":
            return f"{self.value:,.1f} ms"
        if self.unit == "/s":
            return f"{self.value:,.0f}/s"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        return f"{self.value:,.0f}{(' ' + self.unit) if self.unit else ''}"


def judge(value: float | None, *, at_most: float | None = None, at_least: float | None = None):
    if value is None:
        return "?"
    if at_most is not None and value > at_most:
        return "MISSED"
    if at_least is not None and value < at_least:
        return "MISSED"
    return "met"


def number(pattern: str, text: str, group: int = 1, flags: int = re.M) -> float | None:
    match = re.search(pattern, text, flags)
    if not match:
        return None
    return float(match.group(group).replace(",", ""))


def database_url(base: str, suffix: str) -> str:
    parts = urllib.parse.urlsplit(base)
    name = parts.path.lstrip("/") + suffix
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when it does not exist (same server and user)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def server_versions(db_url: str, redis_url: str) -> dict:
    versions = {}
    try:
        import psycopg

        with psycopg.connect(db_url) as conn:
            versions["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # a version is nice to have, not needed
        versions["postgresql"] = f"? ({exc.__class__.__name__})"
    try:
        import redis

        versions["redis"] = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    except Exception as exc:
        versions["redis"] = f"? ({exc.__class__.__name__})"
    return versions


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except OSError:
        return "?"


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.base = os.environ.get("DATABASE_URL") or DEFAULT_DB
        if not self.base.startswith(("postgres://", "postgresql://")):
            sys.exit(f"DATABASE_URL must be PostgreSQL, not {self.base.split(':')[0]}")
        self.redis = os.environ.get("REDIS_URL") or DEFAULT_REDIS
        self.urls = {
            "main": self.base,
            "warmth": database_url(self.base, "_warmth"),
            "jobs": database_url(self.base, "_jobs"),
        }
        self.results: dict[str, dict] = {}
        LOGS.mkdir(parents=True, exist_ok=True)

    def env(self, db: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REQUIRE_SERVICES"}}
        env.update(
            DATABASE_URL=self.urls[db],
            REDIS_URL=self.redis,
            SECRET_KEY=os.environ.get(
                "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
            ),
            SECURE_SSL_REDIRECT="0",
            LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def run(self, name: str, argv: list[str], db: str, timeout: float) -> str | None:
        """Run one benchmark script; its output (stdout and stderr) goes to the log too."""
        started = time.perf_counter()
        print(f"[{name}] {' '.join(argv)}", file=sys.stderr, flush=True)
        log = LOGS / f"{name}.log"
        try:
            done = subprocess.run(
                [PYTHON, *argv],
                cwd=ROOT,
                env=self.env(db),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            output, status = done.stdout, "ok" if done.returncode == 0 else "failed"
            log.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
            if status == "failed":
                tail = "\n".join(done.stderr.strip().splitlines()[-5:])
                print(f"[{name}] failed ({done.returncode}):\n{tail}", file=sys.stderr)
        except subprocess.TimeoutExpired as exc:
            raw = exc.stdout or ""
            output = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            status = "timeout"
            log.write_text(output)
            print(f"[{name}] timed out after {timeout:.0f} s", file=sys.stderr)
        seconds = time.perf_counter() - started
        self.results[name] = {
            "status": status,
            "command": " ".join(["python", *argv]),
            "database": self.urls[db].rsplit("/", 1)[-1],
            "wall_seconds": round(seconds, 1),
            "output": output,
        }
        print(f"[{name}] {status} in {seconds:.0f} s", file=sys.stderr, flush=True)
        return output if status == "ok" else (output or None)

    # --- the benchmarks -------------------------------------------------------------------

    def seed(self) -> list[Row]:
        a = self.args
        if a.keep_data:
            return [Row("seed", "seed_bench (skipped: --keep-data)", None, "s")]
        out = (
            self.run(
                "seed",
                [
                    "manage.py",
                    "seed_bench",
                    "--replace",
                    "--scale",
                    str(a.scale),
                    "--seed",
                    str(a.seed),
                ],
                "main",
                timeout=1800,
            )
            or ""
        )
        seconds = number(r"seed_bench finished in ([\d.]+) s", out)
        contacts = re.search(r"([\d,]+) contacts, ([\d,]+) interactions", out)
        self.results["seed"]["figures"] = {"seconds": seconds}
        label = "seed_bench"
        if contacts:
            label += f", {contacts.group(1)} contacts, {contacts.group(2)} interactions"
        return [Row("seed", label, seconds, "s", "≤ 300 s", judge(seconds, at_most=300))]

    def web(self) -> list[Row]:
        a = self.args
        argv = ["bench/web_load.py", "--json", "--duration", str(a.web_duration)]
        argv += ["--users", str(a.users)]
        out = self.run("web", argv, "main", timeout=60 * 30) or ""
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            return [Row("web", "web under load: no figures (see var/bench/web.log)", None, "")]
        data = json.loads(line.removeprefix("BENCH_JSON "))
        self.results["web"]["figures"] = data
        endpoints = {e["key"]: e for e in data["endpoints"]}
        self.web_endpoints = data["endpoints"]
        self.web_meta = {k: v for k, v in data.items() if k != "endpoints"}
        rows = []
        for e in data["endpoints"]:
            if e["key"] == "floor":
                continue
            p95, ratio = e["p95_ms"], e["ratio_p95_to_floor"]
            verdict = judge(p95, at_most=PAGE_P95_MS)
            note = f"{ratio:.1f}x floor" if ratio else ""
            if e["errors"]:  # the figures time the error responses, not the page
                verdict, note = "INVALID", f"{e['errors']:,} error responses; {note}"
            rows.append(
                Row(
                    "web",
                    f"{e['label']}: p95",
                    p95,
                    "ms",
                    f"≤ {PAGE_P95_MS:.0f} ms",
                    verdict,
                    note,
                )
            )
        for deep, first in (
            ("contacts_deep", "contacts_first"),
            ("contacts_deep_lead", "contacts_first_lead"),
            ("api_deep", "api_first"),
        ):
            if deep in endpoints and first in endpoints and endpoints[first]["p95_ms"]:
                ratio = endpoints[deep]["p95_ms"] / endpoints[first]["p95_ms"]
                errors = endpoints[deep]["errors"] or endpoints[first]["errors"]
                rows.append(
                    Row(
                        "web",
                        f"{endpoints[deep]['label']} / first page (p95)",
                        ratio,
                        "x",
                        f"≤ {DEEP_TOLERANCE}x",
                        "INVALID" if errors else judge(ratio, at_most=DEEP_TOLERANCE),
                    )
                )
        return rows

    def profile(self) -> list[Row]:
        argv = ["bench/profile_page.py", "--json"]
        if self.args.compare:
            argv += ["--compare", self.args.compare]
        out = self.run("profile", argv, "main", timeout=60 * 30) or ""
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            return [Row("profile", "page times: no figures (see var/bench/profile.log)", None, "")]
        data = json.loads(line.removeprefix("BENCH_JSON "))
        self.results["profile"]["figures"] = data
        after = data["after"] if "after" in data else data["pages"]
        before = {p["key"]: p for p in data.get("before", [])}
        rows = []
        for p in after:
            note = f"{p['queries']:.0f} queries"
            if p["key"] in before:
                b = before[p["key"]]
                note = f"before {b['median_ms']:.1f} ms, {b['queries']:.0f} q; after {note}"
            rows.append(
                Row(
                    "profile",
                    f"{p['label']}: median in process",
                    p["median_ms"],
                    "ms",
                    f"≤ {PAGE_MEDIAN_MS:.0f} ms",
                    judge(p["median_ms"], at_most=PAGE_MEDIAN_MS),
                    note,
                )
            )
        return rows

    def capacity(self) -> list[Row]:
        a = self.args
        argv = ["bench/capacity.py", "--json", "--steps", a.capacity_steps]
        if a.compare:
            argv += ["--compare", a.compare]
        out = self.run("capacity", argv, "main", timeout=60 * 180) or ""
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            return [Row("capacity", "capacity: no figures (see var/bench/capacity.log)", None, "")]
        data = json.loads(line.removeprefix("BENCH_JSON "))
        self.results["capacity"]["figures"] = data
        self.capacity_data = data
        rows = []
        for name in ("after", "before"):
            side = data["sides"].get(name)
            if side is None:
                continue
            target = f"≥ {CAPACITY_USERS:,}" if name == "after" else "—"
            verdict = judge(side["held"], at_least=CAPACITY_USERS) if name == "after" else ""
            rows.append(
                Row(
                    "capacity",
                    f"{side['label']}: users held, p95 ≤ {data['p95_limit_ms']:.0f} ms",
                    side["held"],
                    "users",
                    target,
                    verdict,
                    f"{side['stopped']}; {side['limit']}",
                )
            )
        return rows

    def warmth(self) -> list[Row]:
        out = (
            self.run(
                "warmth",
                ["bench/warmth.py", "--scale", str(self.args.scale)],
                "warmth",
                timeout=3600,
            )
            or ""
        )
        rounds = re.findall(
            r"round \d+: warmth_recompute ([\d.]+) s.*?hand-written statement ([\d.]+) s", out
        )
        ours = [float(r[0]) for r in rounds]
        hand = [float(r[1]) for r in rounds]
        recompute = sum(ours) / len(ours) if ours else None
        ratio = sum(ours) / sum(hand) if hand and sum(hand) else None
        agent = number(r"one agent \(([\d,]+) contacts\)[^:\n]*: ([\d.]+) ms", out, 2)
        team = number(r"a whole team as its lead \(([\d,]+) contacts\)[^:\n]*: ([\d.]+) ms", out, 2)
        team_size = number(r"a whole team as its lead \(([\d,]+) contacts\)", out)
        one = number(r"one process: .*?= ([\d,]+) per second", out)
        threads = number(r"(\d+) threads: .*?= ([\d,]+) per second", out, 2)
        scale = re.search(r"([\d,]+) contacts, ([\d,]+) interactions", out)
        figures = {
            "recompute_s": recompute,
            "recompute_rounds_s": ours,
            "hand_written_rounds_s": hand,
            "ratio_to_hand_written": ratio,
            "hottest50_agent_ms": agent,
            "hottest50_team_ms": team,
            "logged_per_s_one_process": one,
            "logged_per_s_threads": threads,
        }
        self.results["warmth"]["figures"] = figures
        data = f", {scale.group(1)} / {scale.group(2)}" if scale else ""
        team_label = f"team of {team_size:,.0f} contacts" if team_size else "a team"
        return [
            Row("warmth", f"full recompute (mean of {len(ours)}){data}", recompute, "s",
                "≤ 10 s", judge(recompute, at_most=10)),
            Row("warmth", "recompute / hand-written SQL, same run", ratio, "x", "≤ 2x",
                judge(ratio, at_most=2)),
            Row("warmth", "50 hottest leads, one agent", agent, "ms", "≤ 20 ms",
                judge(agent, at_most=20)),
            Row("warmth", f"50 hottest leads, {team_label}", team, "ms", "≤ 20 ms",
                judge(team, at_most=20)),
            Row("warmth", "interactions logged, one process", one, "/s"),
            Row("warmth", "interactions logged, 8 threads", threads, "/s"),
        ]  # fmt: skip

    def planner(self) -> list[Row]:
        personas = max(1, round(200 * self.args.scale))
        out = (
            self.run(
                "planner", ["bench/planner.py", "--personas", str(personas)], "main", timeout=900
            )
            or ""
        )
        median = number(r"median ([\d.]+) s", out)
        best = number(r"best ([\d.]+) s", out)
        self.results["planner"]["figures"] = {"median_s": median, "best_s": best}
        return [
            Row("planner", f"a week for {personas} agents, median run", median, "s", "≤ 5 s",
                judge(median, at_most=5), f"best {best:.2f} s" if best else ""),
        ]  # fmt: skip

    def compliance(self) -> list[Row]:
        out = self.run("compliance", ["bench/compliance.py"], "main", timeout=1800) or ""
        rates = {}
        for kind in ("mixed", "clean"):
            m = re.search(
                rf"^starter:.*?\s{kind}\s+([\d,]+)\s+([\d.]+)\s+([\d,]+)\s+([\d,]+)\s*$", out, re.M
            )
            rates[kind] = float(m.group(3).replace(",", "")) if m else None
        precision = number(r"^overall\s+\d+\s+\d+\s+\d+\s+([\d.]+)", out)
        recall = number(r"^overall\s+\d+\s+\d+\s+\d+\s+[\d.]+\s+([\d.]+)", out)
        self.results["compliance"]["figures"] = {
            "cpu_posts_per_s_mixed": rates["mixed"],
            "cpu_posts_per_s_clean": rates["clean"],
            "precision": precision,
            "recall": recall,
        }
        note = f"precision {precision:.3f}, recall {recall:.3f}" if precision and recall else ""
        return [
            Row("compliance", "posts checked, one core, mixed posts", rates["mixed"], "/s",
                "≥ 20,000/s", judge(rates["mixed"], at_least=20_000), note),
            Row("compliance", "posts checked, one core, clean posts", rates["clean"], "/s",
                "≥ 20,000/s", judge(rates["clean"], at_least=20_000)),
        ]  # fmt: skip

    def dispatch(self) -> list[Row]:
        posts = max(100, round(10_000 * self.args.scale))
        out = self.run("dispatch", ["bench/dispatch.py", str(posts)], "jobs", timeout=1800) or ""
        seconds = number(r"^time: ([\d.]+) s", out)
        lost = number(r"lost \(not sent\): (\d+)", out)
        dup_rem = number(r"duplicates: (\d+) extra reminders", out)
        dup_pub = number(r"(\d+) extra successful publishes", out)
        duplicates = None if dup_rem is None or dup_pub is None else dup_rem + dup_pub
        self.results["dispatch"]["figures"] = {
            "seconds": seconds,
            "posts": posts,
            "lost": lost,
            "duplicate_reminders": dup_rem,
            "duplicate_publishes": dup_pub,
        }
        rate = f"{posts / seconds:,.0f} posts/s" if seconds else ""
        return [
            Row("dispatch", f"{posts:,} due posts, 2 workers, Redis", seconds, "s", "≤ 60 s",
                judge(seconds, at_most=60), rate),
            Row("dispatch", "duplicates (reminders + publishes)", duplicates, "", "0",
                judge(duplicates, at_most=0)),
            Row("dispatch", "lost", lost, "", "0", judge(lost, at_most=0)),
        ]  # fmt: skip

    def import_(self) -> list[Row]:
        rows_n = max(100, round(10_000 * self.args.scale))
        out = (
            self.run("import", ["bench/import_contacts.py", str(rows_n)], "jobs", timeout=1800)
            or ""
        )
        create = number(r"^\s*create:\s+([\d.]+) s", out)
        update = number(r"^\s*update:\s+([\d.]+) s", out)
        self.results["import"]["figures"] = {"create_s": create, "update_s": update}
        return [
            Row("import", f"{rows_n:,}-row CSV, new contacts", create, "s", "≤ 20 s",
                judge(create, at_most=20)),
            Row("import", "the same file again, update all", update, "s", "≤ 20 s",
                judge(update, at_most=20)),
        ]  # fmt: skip


def table(rows: list[Row]) -> str:
    widths = [10, 54, 12, 26, 7]
    head = ["bench", "figure", "value", "target", "verdict"]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + "  note"]
    lines.append("-" * (sum(widths) + 2 * len(widths) + 4))
    for r in rows:
        cells = [r.bench, r.figure, r.shown(), r.target, r.verdict]
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + r.note
        )
    return "\n".join(line.rstrip() for line in lines)


def web_table(endpoints: list[dict], meta: dict) -> str:
    lines = [
        f"web under load: {meta.get('client')} with {meta.get('users')} connections, "
        f"{meta.get('duration_s'):.0f} s per endpoint, gunicorn {meta.get('workers')} workers; "
        f"{meta.get('scale')}",
        f"{'endpoint':<32}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'p95/floor':>11}",
    ]
    for e in endpoints:
        ratio = e.get("ratio_p95_to_floor")
        lines.append(
            f"{e['label']:<32}{e['rps']:>8.1f}{e['p50_ms']:>9.1f}{e['p95_ms']:>9.1f}"
            f"{e['p99_ms']:>9.1f}{e['errors']:>8}{(f'{ratio:.1f}x' if ratio else '-'):>11}"
        )
    return "\n".join(lines)


def capacity_table(data: dict) -> str:
    lines = [
        f"capacity: gunicorn {data['workers']} sync workers; users wait "
        f"{data['wait_s'].replace(',', '-')} s between pages"
        + (f"; {data['note']}" if data["note"] else ""),
        f"{'tree':<22}{'users':>7}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'errors':>8}"
        f"  CPU cores: gunicorn / postgres / locust / machine",
    ]
    for side in data["sides"].values():
        for s in side["steps"]:
            if "p95_ms" not in s:
                lines.append(f"{side['label']:<22}{s['users']:>7}  {s.get('failed', '?')}")
                continue
            cpu = s["cpu_cores"]
            lines.append(
                f"{side['label']:<22}{s['users']:>7}{s['rps']:>8.1f}{s['p50_ms']:>8.0f}"
                f"{s['p95_ms']:>8.0f}{s['errors'] + s['errors_before_window']:>8}  "
                f"{cpu.get('gunicorn', 0):.2f} / {cpu.get('postgres, all', 0):.2f} / "
                f"{cpu.get('locust', 0):.2f} / {cpu.get('machine', 0):.2f}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--skip", help="comma-separated benchmarks to leave out")
    parser.add_argument("--scale", type=float, default=1.0, help="data scale (1 = the issue's)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_bench's random seed")
    parser.add_argument(
        "--keep-data", action="store_true", help="reuse the seeded data (no seed_bench run)"
    )
    parser.add_argument("--web-duration", type=float, default=30, help="seconds per endpoint")
    parser.add_argument("--users", type=int, default=20, help="concurrent web users")
    parser.add_argument(
        "--capacity-steps", default="250,500,1000,1500,2000,3000", help="users per step"
    )
    parser.add_argument("--compare", metavar="REV", help="page times and capacity of REV too")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args()
    chosen = BENCHES
    if args.only:
        chosen = [b.strip() for b in args.only.split(",") if b.strip()]
    if args.skip:
        skipped = {b.strip() for b in args.skip.split(",")}
        chosen = [b for b in chosen if b not in skipped]
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        sys.exit(f"unknown benchmarks {sorted(unknown)}; known: {', '.join(BENCHES)}")

    runner = Runner(args)
    for key in ("main", "warmth", "jobs"):
        ensure_database(runner.urls[key])
    if {"seed", "web", "profile", "capacity"} & set(chosen):
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=runner.env("main"), check=True
        )
    started_at = dt.datetime.now(dt.UTC).astimezone()
    load_before = load_average()
    steps: dict[str, Callable[[], list[Row]]] = {
        "seed": runner.seed,
        "web": runner.web,
        "profile": runner.profile,
        "capacity": runner.capacity,
        "warmth": runner.warmth,
        "planner": runner.planner,
        "compliance": runner.compliance,
        "dispatch": runner.dispatch,
        "import": runner.import_,
    }
    rows: list[Row] = []
    for name in chosen:
        rows.extend(steps[name]())
    load_after = load_average()

    info = machine()
    versions = server_versions(runner.base, runner.redis)
    scale = "of the data there (--keep-data)" if args.keep_data else args.scale
    header = (
        f"Siyu benchmarks, {started_at:%Y-%m-%d %H:%M %Z}, commit {git_commit()}, scale "
        f"{scale}\nmachine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']}, "
        f"{info['os']}, Python {info['python']}, PostgreSQL {versions['postgresql']}, Redis "
        f"{versions['redis']}\nload average before {load_before}, after {load_after}"
    )
    print()
    print(header)
    print()
    print(table(rows))
    if getattr(runner, "web_endpoints", None):
        print()
        print(web_table(runner.web_endpoints, runner.web_meta))
    if getattr(runner, "capacity_data", None):
        print()
        print(capacity_table(runner.capacity_data))

    document = {
        "started": started_at.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "scale": args.scale,
        "seed": args.seed,
        "machine": {**info, **versions},
        "load_average": {"before": load_before, "after": load_after},
        "rows": [asdict(r) for r in rows],
        "benchmarks": runner.results,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    print(f"\nfigures written to {shown}")


if __name__ == "__main__":
    main()
