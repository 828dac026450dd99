"""Benchmark: how many people working at once the site holds, on the seeded data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/capacity.py [--steps 250,500,1000,1500,2000,3000] [--json]
        [--compare REV] [--settle 30] [--measure 90] [--sign-in-rate 4] [--wait 20,40]

Needs the data of ``manage.py seed_bench`` in that database and Redis. Starts gunicorn as
``bench/web_load.py`` does (``--workers`` sync workers, default 2, ``DEBUG=0``, the production
settings apart from HTTPS, which loopback has not; sessions and the cache in Redis, the
production API throttle), and runs locust headless (``bench/locustfile.py``: agents and leads
going about their day, each waiting 20 to 40 s between pages) in one process on the same
machine, one run per step of the ladder: the step's users spawned (signing in through the
login page the first time, keeping their sessions for the later steps), settled, then
measured for ``--measure`` seconds. The ladder stops at the first step whose p95 passes
``--p95-limit`` (300 ms) or that had errors; the figure is the last step held.

During each measured window it samples the CPU time of gunicorn's processes, of the
PostgreSQL backends serving the bench database (and of all PostgreSQL processes), of locust,
and of the whole machine (``/proc``), and prints them in cores: what limits the step is
whichever of them is using the machine when it is full, or, with CPU to spare, the workers.

``--compare REV`` runs ``REV`` too (checked out into a temporary worktree, on its own copy of
the database when the migrations differ: ``bench/worktree.py``), each step against both trees
in alternation (the order swapped every step), and prints both columns.

Sign-ins are the dear part of spawning (a password hash, about 0.25 s of a core each): new
users start at ``--sign-in-rate`` a second (4, a core's worth), users with a session from the
step before at ``--spawn-rate`` (50); nothing is measured until all are in and ``--settle``
seconds have passed. At ``seed_bench`` scale 1 the default ladder, if every step holds, takes
about 27 minutes for one tree (3,000 sign-ins at 4 a second are 12.5 of them) and 55 with
``--compare``; it stops earlier at the first step that does not hold. Figures, not verdicts;
loopback only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from worktree import (
    ROOT,
    checkout,
    database_for_before,
    drop_database,
    prepare_tree,
    short,
)

HOST = "127.0.0.1"
LOGS = ROOT / "var" / "bench"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Side:
    """One tree under test: its code, its database, its server."""

    name: str  # "after" (this tree) or "before"
    label: str
    tree: Path
    database_url: str
    port: int = 0
    server: subprocess.Popen | None = None
    sessions: Path | None = None
    steps: list[dict] = field(default_factory=list)
    stopped: str = ""  # why the ladder stopped for this side

    @property
    def held(self) -> int:
        passed = [s["users"] for s in self.steps if s["held"]]
        return max(passed, default=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(side: Side) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": side.database_url,
        "PYTHONPATH": str(side.tree),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
        ),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # Each tree its own cache keys: the two may run on different copies of the data.
        "CACHE_KEY_PREFIX": f"siyu-bench-{side.name}",
    }


def start_gunicorn(side: Side, workers: int) -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = LOGS / f"capacity-gunicorn-{side.name}.log"
    side.port = free_port()
    side.server = subprocess.Popen(
        [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "crm.wsgi:application",
            "--bind",
            f"{HOST}:{side.port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=side.tree,
        env=server_env(side),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if side.server.poll() is not None:
            sys.exit(f"gunicorn ({side.name}) exited with {side.server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{side.port}/login/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn ({side.name}) did not answer within 60 s; see {log}")


def stop_gunicorn(side: Side) -> None:
    if side.server is None or side.server.poll() is not None:
        return
    os.killpg(side.server.pid, signal.SIGTERM)
    try:
        side.server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(side.server.pid, signal.SIGKILL)


def accounts(database_url: str) -> dict[str, list[str]]:
    """The bench agents' and leads' usernames, asked of this tree's code."""
    code = (
        "import json; from django.contrib.auth import get_user_model as g; "
        "u = g().objects.filter(username__startswith='bench-').order_by('username'); "
        "print('ACCOUNTS ' + json.dumps({"
        "'agents': list(u.filter(username__startswith='bench-agent-', role='agent')"
        ".values_list('username', flat=True)), "
        "'leads': list(u.filter(username__startswith='bench-lead-', role='lead')"
        ".values_list('username', flat=True))}))"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    env.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("ACCOUNTS ")), None)
    if line is None:
        sys.exit(f"could not list the bench users:\n{done.stdout}{done.stderr[-2000:]}")
    found = json.loads(line.removeprefix("ACCOUNTS "))
    if not found["agents"] or not found["leads"]:
        sys.exit("no bench users: run `manage.py seed_bench` against this database first")
    return found


def data_scale(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as conn:
        contacts = conn.execute("SELECT count(*) FROM contacts_contact").fetchone()[0]
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"{contacts:,} contacts; PostgreSQL {version.split()[0]}"


# --- CPU sampling ---------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in {"postgres", "postmaster"}:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


class Sampler(threading.Thread):
    """CPU time per group of processes, sampled every second; ``cores(start, end)`` is each
    group's use over a window, in cores (CPU seconds per second)."""

    def __init__(self, database_urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.database_urls = database_urls
        self.groups: dict[str, set[int]] = {}  # fixed groups: name -> pids (gunicorn, locust)
        self.deltas: list[tuple[float, float, dict[str, float]]] = []
        self.stop_event = threading.Event()
        self._db_pids: set[int] = set()

    def _refresh_db_pids(self) -> None:
        import psycopg

        names = [urllib.parse.urlsplit(u).path.lstrip("/") for u in self.database_urls]
        try:
            with psycopg.connect(self.database_urls[0], autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", [names]
                ).fetchall()
                mine = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            self._db_pids = {r[0] for r in rows} - {mine}
        except Exception:  # a missed refresh keeps the last set
            pass

    def _snapshot(self) -> dict[str, dict[int, float]]:
        snap: dict[str, dict[int, float]] = {}
        for name, roots in self.groups.items():
            pids = set(roots)
            for root in roots:
                pids.update(_children(root))
            snap[name] = {p: c for p in pids if (c := _cpu_seconds(p)) is not None}
        snap["postgres, bench database"] = {
            p: c for p in self._db_pids if (c := _cpu_seconds(p)) is not None
        }
        snap["postgres, all"] = {
            p: c for p in _postgres_pids() if (c := _cpu_seconds(p)) is not None
        }
        busy, _ = _machine_busy()
        snap["machine"] = {0: busy}
        return snap

    def run(self) -> None:
        n = 0
        self._refresh_db_pids()
        last_t, last = time.time(), self._snapshot()
        while not self.stop_event.wait(1.0):
            n += 1
            if n % 5 == 0:
                self._refresh_db_pids()
            now, snap = time.time(), self._snapshot()
            delta = {}
            for name, pids in snap.items():
                before = last.get(name, {})
                delta[name] = sum(c - before[p] for p, c in pids.items() if p in before)
            self.deltas.append((last_t, now, delta))
            last_t, last = now, snap

    def cores(self, start: float, end: float) -> dict[str, float]:
        total: dict[str, float] = {}
        for t0, t1, delta in self.deltas:
            if t0 >= start and t1 <= end:
                for name, seconds in delta.items():
                    total[name] = total.get(name, 0.0) + seconds
        span = max(1e-9, end - start)
        return {name: seconds / span for name, seconds in total.items()}


# --- the ladder -----------------------------------------------------------------------------


def run_step(
    side: Side, users: int, args: argparse.Namespace, sampler: Sampler, accounts_file: Path
) -> dict:
    """One locust run of ``users`` against ``side``; the step's figures."""
    out = Path(tempfile.mkstemp(prefix="siyu-capacity-", suffix=".json")[1])
    env = {
        **os.environ,
        "BENCH_USERS": str(users),
        "BENCH_SPAWN_RATE": str(args.spawn_rate),
        "BENCH_SIGN_IN_RATE": str(args.sign_in_rate),
        "BENCH_SETTLE_S": str(args.settle),
        "BENCH_MEASURE_S": str(args.measure),
        "BENCH_WAIT": args.wait,
        "BENCH_OUT": str(out),
        "BENCH_SESSIONS": str(side.sessions),
        "BENCH_ACCOUNTS": str(accounts_file),
    }
    locust = Path(sys.executable).with_name("locust")
    log = LOGS / f"capacity-locust-{side.name}-{users}.log"
    argv = [
        str(locust) if locust.exists() else "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://{HOST}:{side.port}",
        "--loglevel",
        "WARNING",
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    ramp = users / min(args.spawn_rate, args.sign_in_rate)
    timeout = ramp + 600 + args.settle + args.measure + 120
    with log.open("w") as sink:
        proc = subprocess.Popen(argv, cwd=HERE, env=env, stdout=sink, stderr=subprocess.STDOUT)
        sampler.groups = {"gunicorn": {side.server.pid}, "locust": {proc.pid}}
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:
        data = json.loads(out.read_text() or "{}")
    except ValueError:
        data = {}
    out.unlink(missing_ok=True)
    if not data.get("window", {}).get("start"):
        return {"users": users, "held": False, "failed": f"locust gave no figures; see {log}"}
    start, end = data["window"]["start"], data["window"]["end"]
    data["cpu_cores"] = sampler.cores(start, end)
    errors = data["errors"] + data["errors_before_window"]
    data["held"] = bool(
        not data.get("ready_timeout") and errors == 0 and data["p95_ms"] <= args.p95_limit
    )
    return data


def limit_of(step: dict, workers: int) -> str:
    """What limits a step: the busiest group when the machine is full, else the workers.
    Other processes (PostgreSQL serving other databases among them) count as "other": a
    figure taken beside them says more about them than about the site."""
    cpu = step.get("cpu_cores") or {}
    if not cpu:
        return step.get("failed", "?")
    cores = os.cpu_count() or 1
    machine = cpu.get("machine", 0.0)
    gunicorn = cpu.get("gunicorn", 0.0)
    postgres = cpu.get("postgres, bench database", 0.0)
    locust = cpu.get("locust", 0.0)
    other = max(0.0, machine - gunicorn - postgres - locust)
    shares = {
        "gunicorn's workers (Python)": gunicorn,
        "PostgreSQL serving the bench database": postgres,
        "locust itself": locust,
        "other processes on the machine": other,
    }
    top = max(shares, key=shares.get)
    if machine >= 0.85 * cores:
        return f"CPU: the machine is full ({machine:.2f} of {cores} cores), most of it {top}"
    if gunicorn >= 0.85 * workers:
        return f"gunicorn's {workers} sync workers are busy ({gunicorn:.2f} cores)"
    return f"not CPU ({machine:.2f} of {cores} cores busy); the most, {top} ({shares[top]:.2f})"


def print_side(side: Side, workers: int, p95_limit: float) -> None:
    print(f"\n{side.label}: held {side.held:,} simulated active users; {side.stopped}")
    print(
        f"{'users':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'refused':>8}{'sign-in p95':>12}  CPU cores: gunicorn / postgres (bench db, all) / "
        f"locust / machine"
    )
    for s in side.steps:
        if "p95_ms" not in s:
            print(f"{s['users']:>6}  {s.get('failed', '?')}")
            continue
        cpu = s["cpu_cores"]
        errors = s["errors"] + s["errors_before_window"]
        mark = (
            ""
            if s["held"]
            else "  <- " + (f"p95 > {p95_limit:.0f} ms" if s["p95_ms"] > p95_limit else "errors")
        )
        print(
            f"{s['users']:>6}{s['rps']:>8.1f}{s['p50_ms']:>8.0f}{s['p95_ms']:>8.0f}"
            f"{s['p99_ms']:>8.0f}{errors:>7}{s['refused']:>8}{s['sign_in_p95_ms']:>12.0f}  "
            f"{cpu.get('gunicorn', 0):.2f} / {cpu.get('postgres, bench database', 0):.2f}, "
            f"{cpu.get('postgres, all', 0):.2f} / {cpu.get('locust', 0):.2f} / "
            f"{cpu.get('machine', 0):.2f}{mark}"
        )
    if side.steps and "p95_ms" in side.steps[-1]:
        last = side.steps[-1]
        what = "held; its load" if last["held"] else "the limit"
        print(f"at {last['users']:,} users ({what}): {limit_of(last, workers)}")
        pages = side.steps[-1]["pages"]
        print("  per page at that step (requests, p50 / p95 ms, errors): " + "; ".join(
            f"{name} {p['requests']}, {p['p50_ms']:.0f} / {p['p95_ms']:.0f}, {p['errors']}"
            for name, p in pages.items()
        ))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="250,500,1000,1500,2000,3000", help="users per step")
    parser.add_argument(
        "--spawn-rate", type=float, default=50, help="users back with a session, a second"
    )
    parser.add_argument("--sign-in-rate", type=float, default=4, help="new users a second")
    parser.add_argument("--settle", type=float, default=30, help="seconds after the sign-ins")
    parser.add_argument("--measure", type=float, default=90, help="seconds measured a step")
    parser.add_argument("--wait", default="20,40", help="seconds between a user's pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--p95-limit", type=float, default=300, help="ms")
    parser.add_argument("--compare", metavar="REV", help="run REV too, in alternation")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("needs PostgreSQL with the seeded data: DATABASE_URL=postgres://… seed_bench")
    if not os.environ.get("REDIS_URL"):
        sys.exit("needs Redis (sessions and the cache, as in production): REDIS_URL=redis://…")
    steps = [int(x) for x in args.steps.split(",") if x.strip()]
    LOGS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="siyu-capacity-"))
    accounts_file = work / "accounts.json"
    accounts_file.write_text(json.dumps(accounts(database_url)))
    head = short("HEAD")
    sides = [Side("after", f"this tree ({head})", ROOT, database_url)]
    note = ""
    with checkout(args.compare) if args.compare else contextlib.nullcontext() as before:
        prepare_tree(ROOT, database_url)
        if before is not None:
            before_url, note = database_for_before(before, database_url)
            prepare_tree(before, before_url)
            sides.insert(0, Side("before", f"before ({short(args.compare)})", before, before_url))
        sampler = Sampler([s.database_url for s in sides])
        sampler.start()
        try:
            for side in sides:
                side.sessions = work / f"sessions-{side.name}.json"
                start_gunicorn(side, args.workers)
            for n, users in enumerate(steps):
                order = sides if n % 2 == 0 else list(reversed(sides))
                for side in order:
                    if side.stopped:
                        continue
                    print(f"[{side.name}] {users} users …", file=sys.stderr, flush=True)
                    step = run_step(side, users, args, sampler, accounts_file)
                    side.steps.append(step)
                    if not step["held"]:
                        side.stopped = f"stopped at {users:,} users: " + (
                            step.get("failed")
                            or (
                                f"p95 {step['p95_ms']:.0f} ms"
                                if step["p95_ms"] > args.p95_limit
                                else f"{step['errors'] + step['errors_before_window']} errors"
                            )
                        )
                    elif users == steps[-1]:
                        side.stopped = f"held the last step ({users:,} users)"
        finally:
            sampler.stop_event.set()
            for side in sides:
                stop_gunicorn(side)
            if before is not None and sides[0].database_url != database_url:
                drop_database(sides[0].database_url)
    print(
        f"capacity: gunicorn {args.workers} sync workers, DEBUG=0, Redis sessions and cache; "
        f"locust (one process, same machine) with users waiting {args.wait.replace(',', '-')} s "
        f"between pages, steps of {args.settle:.0f} s settling and {args.measure:.0f} s "
        f"measured; a step holds with p95 ≤ {args.p95_limit:.0f} ms and no errors; "
        f"{os.cpu_count()} CPUs"
    )
    print(f"data: {data_scale(database_url)}" + (f"; {note}" if note else ""))
    for side in sides:
        print_side(side, args.workers, args.p95_limit)
    if args.json:
        summary = {
            "workers": args.workers,
            "wait_s": args.wait,
            "p95_limit_ms": args.p95_limit,
            "note": note,
            "sides": {
                s.name: {
                    "label": s.label,
                    "held": s.held,
                    "stopped": s.stopped,
                    "limit": limit_of(s.steps[-1], args.workers) if s.steps else "",
                    "steps": s.steps,
                }
                for s in sides
            },
        }
        print("BENCH_JSON " + json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
