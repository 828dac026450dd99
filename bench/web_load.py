"""Benchmark: the pages under load, beside the framework's floor, on the seeded data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench REDIS_URL=redis://127.0.0.1:6379/15 \
        .venv/bin/python bench/web_load.py [--users 20] [--duration 30] [--only home,floor] [--json]

Needs the data of ``manage.py seed_bench`` in that database. Starts gunicorn (2 sync workers,
``DEBUG=0``, the production settings apart from HTTPS, which loopback has not) on 127.0.0.1,
signs 20 bench agents and the 20 bench team leads in (sessions written to the session store
as a login would), and then, one endpoint after the other, keeps ``--users`` connections busy
for ``--duration`` seconds with ``wrk`` (Debian package ``wrk``; a small Python thread client
when it is missing) and prints p50, p95, p99 and requests per second for each:

- ``floor``: ``/bench-floor`` (``BENCH_FLOOR=1``; ``crm/bench_views.py``): a view that reads
  nothing, through the whole middleware stack. Every page's p95 is divided by its p95;
- ``home``: an agent's home; ``contacts first`` / ``contacts deep``: an agent's contact list,
  first page and last page (page 40 of 1,000 contacts, found by following the list's
  "Next" links, as a person would); the same for a lead, whose list holds the team's 10,000
  contacts (last page 400);
- ``calendar (lead)``: the team's week of posts;
- ``API contacts first`` / ``API contacts deep``: ``/api/v1/contacts/``, the first page and a
  page found by following the cursor to the last 10 % of the agent's contacts.

Each request of an endpoint goes out as the next of the 20 users in turn, so the cache, the
throttle and the queries see 20 different people. Loopback only. Figures, not verdicts.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management import call_command
from django.db import connection

from contacts.models import Contact

User = get_user_model()

HOST = "127.0.0.1"

LUA = r"""
-- One (cookie, path) pair per simulated user; each request goes out as the next one in turn.
local pairs_ = {PAIRS}
local i = 0
request = function()
  i = i + 1
  local p = pairs_[(i % #pairs_) + 1]
  return wrk.format("GET", p[2], {["Cookie"] = "sessionid=" .. p[1], ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d, \"non_2xx\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Endpoint:
    key: str
    label: str
    who: str  # "agent" or "lead"
    targets: list[tuple[str, str]] = field(default_factory=list)  # (session key, path)


@dataclass
class Result:
    key: str
    label: str
    who: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    ratio_p95_to_floor: float | None = None


def sign_in(user: User) -> str:
    """A session for ``user``, stored as ``django.contrib.auth.login`` stores one."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend a password sign-in goes through (the last: django-axes's only refuses).
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "BENCH_FLOOR": "1",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # The API's per-user throttle (1,200 requests a minute) stays on, so its check is
        # measured, but above what 20 connections reach: at 400 requests a second its 429s,
        # not the page, were what the API endpoints measured.
        "API_THROTTLE_USER": "1000000/minute",
    }


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "crm.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def fetch(port: int, path: str, session: str, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", headers={"Cookie": f"sessionid={session}"}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see its log")
        try:
            status, _ = fetch(port, "/bench-floor", "", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def deep_cursor(port: int, session: str, per_agent: int, depth: float = 0.9) -> str:
    """The API path of the contact page at ``depth`` of the agent's list, found by following
    the cursor links (about ten pages of up to 200), then asked for at the default page size."""
    size = max(1, min(200, per_agent // 10))
    path = f"/api/v1/contacts/?page_size={size}"
    pages = []
    while path:
        status, body = fetch(port, path, session)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        data = json.loads(body)
        nxt = data.get("next")
        if not nxt:
            break
        cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["cursor"][0]
        pages.append(cursor)
        path = f"/api/v1/contacts/?page_size={size}&cursor={urllib.parse.quote(cursor)}"
    if not pages:
        raise SystemExit("the agent has a single page of contacts: seed more (seed_bench)")
    chosen = pages[min(len(pages) - 1, int(len(pages) * depth))]
    return f"/api/v1/contacts/?cursor={urllib.parse.quote(chosen)}"


def next_link(body: str) -> str | None:
    """The href of the page's ``<a rel="next">`` (the pager's "Next"), if it has one."""
    for tag in re.findall(r"<a\b[^>]*>", body):
        if re.search(r"""\brel=["']?next\b""", tag):
            href = re.search(r"""\bhref=["']([^"']*)["']""", tag)
            if href:
                return html.unescape(href.group(1))
    return None


def last_page_path(port: int, session: str, path: str = "/contacts/") -> tuple[str, int]:
    """The path of the last page of the contact list the user of ``session`` sees, found as a
    person finds it: by following "Next" from the first page (so nothing here depends on how
    the list pages); and the number of pages."""
    pages = 1
    while True:
        status, body = fetch(port, path, session)
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}")
        nxt = next_link(body.decode())
        if not nxt:
            if pages == 1:
                raise SystemExit("a contact list of a single page: seed more (seed_bench)")
            return path, pages
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(path, nxt))
        path = parts.path + ("?" + parts.query if parts.query else "")
        pages += 1


def last_pages(port: int, sessions: list[str], workers: int) -> list[str]:
    """Each session's last contact page, ``workers`` users at a time (at the issue's scale a
    lead's list is 400 pages: about two minutes for the 20 leads and 20 agents)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return [path for path, _ in pool.map(lambda s: last_page_path(port, s), sessions)]


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def run_wrk(port: int, endpoint: Endpoint, users: int, duration: float) -> dict:
    pairs = ", ".join(f'{{"{s}", "{p}"}}' for s, p in endpoint.targets[:users])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{PAIRS}", "{" + pairs + "}"))
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{users}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
    finally:
        os.unlink(script.name)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "requests": data["requests"],
        "seconds": data["duration_us"] / 1e6,
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "errors": data["non_2xx"] + data["socket_errors"],
    }


def run_threads(port: int, endpoint: Endpoint, users: int, duration: float) -> dict:
    """The fallback load generator: ``users`` threads, one connection per request (gunicorn's
    sync workers close every connection anyway), the same rotation of users."""
    import http.client

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(10**12))
    stop_at = time.perf_counter() + duration

    def worker() -> None:
        nonlocal errors
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            with lock:
                n = next(counter)
            session, path = endpoint.targets[n % min(users, len(endpoint.targets))]
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status >= 400:
                    bad += 1
            except OSError:
                bad += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * (latencies[-1] if latencies else 0.0),
        "errors": errors,
    }


def build_endpoints(
    agents: list[str],
    leads: list[str],
    agent_last_pages: list[str],
    lead_last_pages: list[str],
    last_agent_page: int,
    last_lead_page: int,
) -> dict[str, Endpoint]:
    """The endpoints in the order they run; ``api_deep``'s targets are filled in later. The
    ``*_last_pages`` are each user's ``last_page_path``, in the order of the sessions."""

    def each(sessions: list[str], path: str) -> list[tuple[str, str]]:
        return [(session, path) for session in sessions]

    endpoints = [
        Endpoint("floor", "floor: /bench-floor", "agent", each(agents, "/bench-floor")),
        Endpoint("home", "agent home /", "agent", each(agents, "/")),
        Endpoint("contacts_first", "contacts, first page", "agent", each(agents, "/contacts/")),
        Endpoint(
            "contacts_deep",
            f"contacts, page {last_agent_page} (last)",
            "agent",
            list(zip(agents, agent_last_pages, strict=True)),
        ),
        Endpoint(
            "contacts_first_lead", "team contacts, first page", "lead", each(leads, "/contacts/")
        ),
        Endpoint(
            "contacts_deep_lead",
            f"team contacts, page {last_lead_page} (last)",
            "lead",
            list(zip(leads, lead_last_pages, strict=True)),
        ),
        Endpoint("calendar", "team calendar (week)", "lead", each(leads, "/schedule/team/")),
        Endpoint(
            "api_first", "API contacts, first page", "agent", each(agents, "/api/v1/contacts/")
        ),
        Endpoint("api_deep", "API contacts, deep cursor", "agent", []),
    ]
    return {e.key: e for e in endpoints}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=30, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--only", help="comma-separated endpoint keys (floor is always run)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL with the seeded data: DATABASE_URL=postgres://… seed_bench")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), or use --client python")

    agent_users = list(
        User.objects.filter(username__startswith="bench-agent-", role="agent")
        .order_by("username")[: args.users]
    )  # fmt: skip
    lead_users = list(
        User.objects.filter(username__startswith="bench-lead-", role="lead")
        .select_related("led_team")
        .order_by("username")[: args.users]
    )  # fmt: skip
    if not agent_users or not lead_users:
        sys.exit("no bench users: run `manage.py seed_bench` against this database first")
    per_agent = agent_users[0].contacts.count()
    team_size = Contact.objects.filter(owner__team=lead_users[0].team_id).count()
    members = User.objects.filter(team=lead_users[0].team_id).count()
    call_command("migrate", verbosity=0)  # other work may have added tables since the seed
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0 needs the manifest
    # The pages are drawn in each user's language (Chinese for the bench users): without the
    # compiled catalogue they would be drawn in English and measure a different page.
    call_command("compilemessages", ignore_patterns=[".venv", "var"], verbosity=0)
    agents = [sign_in(u) for u in agent_users]
    leads = [sign_in(u) for u in lead_users]

    port = free_port()
    log = Path(settings.VAR_DIR) / "bench-web-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(port, args.workers, log)
    results: list[Result] = []
    try:
        wait_ready(port, server)
        print("  finding each user's last contact page …", file=sys.stderr, flush=True)
        endpoints = build_endpoints(
            agents,
            leads,
            last_pages(port, agents, args.workers),
            last_pages(port, leads, args.workers),
            last_page_path(port, agents[0])[1],
            last_page_path(port, leads[0])[1],
        )
        endpoints["api_deep"].targets = [(s, deep_cursor(port, s, per_agent)) for s in agents]
        chosen = list(endpoints)
        if args.only:
            wanted = {k.strip() for k in args.only.split(",")} | {"floor"}
            unknown = wanted - set(endpoints)
            if unknown:
                sys.exit(f"unknown endpoints {sorted(unknown)}; known: {', '.join(endpoints)}")
            chosen = [k for k in endpoints if k in wanted]
        # Warm every worker's caches and check each target answers 200 (not a login redirect).
        for key in chosen:
            for session, path in endpoints[key].targets:
                for _ in range(2):
                    status, _ = fetch(port, path, session)
                    if status != 200:
                        sys.exit(f"{key}: GET {path} gave HTTP {status}; see {log}")
        load = run_wrk if client == "wrk" else run_threads
        for key in chosen:
            endpoint = endpoints[key]
            print(f"  {endpoint.label} …", file=sys.stderr, flush=True)
            figures = load(port, endpoint, args.users, args.duration)
            results.append(
                Result(
                    key=key,
                    label=endpoint.label,
                    who=endpoint.who,
                    path=endpoint.targets[0][1].split("?cursor=")[0]
                    + ("?cursor=…" if "?cursor=" in endpoint.targets[0][1] else ""),
                    rps=figures["requests"] / figures["seconds"],
                    **figures,
                )
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        # The sessions were this run's alone: sign them out again.
        from importlib import import_module

        store = import_module(settings.SESSION_ENGINE).SessionStore()
        for key in agents + leads:
            store.delete(key)
    floor = next(r for r in results if r.key == "floor")
    for r in results:
        r.ratio_p95_to_floor = r.p95_ms / floor.p95_ms if floor.p95_ms else None

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contacts_contact")
        contacts = cursor.fetchone()[0]
    scale = (
        f"{contacts:,} contacts in the database; agents with {per_agent:,} contacts, "
        f"teams of {members} ({team_size:,} contacts)"
    )
    print(
        f"web under load: gunicorn {args.workers} sync workers, DEBUG=0, PostgreSQL "
        f"{connection.pg_version // 10000}, {client} with {args.users} connections for "
        f"{args.duration:.0f} s per endpoint, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"data: {scale}")
    header = f"{'endpoint':<32}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(header + f"{'p95/floor':>11}")
    for r in results:
        ratio = f"{r.ratio_p95_to_floor:.1f}x" if r.ratio_p95_to_floor else "-"
        print(
            f"{r.label:<32}{r.rps:>8.1f}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}{r.p99_ms:>9.1f}"
            f"{r.errors:>8}{ratio:>11}"
        )
    if args.json:
        summary = {
            "client": client,
            "users": args.users,
            "duration_s": args.duration,
            "workers": args.workers,
            "scale": scale,
            "endpoints": [asdict(r) for r in results],
        }
        print("BENCH_JSON " + json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
