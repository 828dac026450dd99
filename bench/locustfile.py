"""Locust's load model for ``bench/capacity.py``: agents and leads going about their day.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000
    (bench/capacity.py sets the BENCH_* variables below and runs it, one step at a time)

Each simulated user is a person at work: after each page it waits 20 to 40 s (``BENCH_WAIT``,
"20,40"), as someone working steadily does, then does the next thing:

- an agent (``bench-agent-NNNN``) opens the home, pages through the contact list, searches it
  for a name seen on a page, opens a contact, logs an interaction with the contact open
  (the contact page's own form), and confirms a post went out ("Posted" on the home);
- a lead (``bench-lead-NN``) opens the team week, approves a post it shows, opens the home
  and the team's contact list.

Users sign in through the login page (GET the form, POST it with its CSRF token), as their
accounts from ``seed_bench``, in turn (``BENCH_ACCOUNTS``, a JSON file of ``agents`` and
``leads``; more simulated users than accounts share accounts, each with its own session).
A session is kept for the next step of the ladder (``BENCH_SESSIONS``): a person signs in
once a day, not once per step, and a sign-in costs a quarter of a second of CPU on purpose.
Forms are posted as the page's htmx would (``HX-Request``, the ``X-CSRFToken`` the page
holds), picked from what the page shows, with their hidden fields. A post action the state
machine refuses (someone approved it first) is the page telling the user so, not an error.
Only the markup's forms and links are read (regular expressions, lightly): nothing here
depends on how a page is built.

One run of locust is one step: ``BENCH_USERS`` users, those with a session from the step
before spawned at ``BENCH_SPAWN_RATE`` a second, the new ones at ``BENCH_SIGN_IN_RATE``;
then, once every user has signed in, ``BENCH_SETTLE_S`` seconds to settle and
``BENCH_MEASURE_S`` seconds measured. The requests of the measured window go to ``BENCH_OUT``
(JSON: per page and in all, p50/p95/p99, requests, errors, the window's start and end).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
import urllib.parse
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, between, events, task

WAIT = tuple(float(x) for x in os.environ.get("BENCH_WAIT", "20,40").split(","))
PASSWORD = os.environ.get("BENCH_PASSWORD", "siyu-bench-2026")
USERS = int(os.environ.get("BENCH_USERS", "50"))
# Users with a session from the step before come back at SPAWN_RATE a second; new ones sign
# in at SIGN_IN_RATE (a sign-in hashes the password: about 0.25 s of a core each).
SPAWN_RATE = float(os.environ.get("BENCH_SPAWN_RATE", "50"))
SIGN_IN_RATE = float(os.environ.get("BENCH_SIGN_IN_RATE", "4"))
SETTLE_S = float(os.environ.get("BENCH_SETTLE_S", "30"))
MEASURE_S = float(os.environ.get("BENCH_MEASURE_S", "60"))
# Beyond this (after the last spawn) the step stops unmeasured: the users could not sign in.
READY_TIMEOUT_S = float(os.environ.get("BENCH_READY_TIMEOUT_S", "600"))
OUT = os.environ.get("BENCH_OUT")
SESSIONS = os.environ.get("BENCH_SESSIONS")
_accounts_file = os.environ.get("BENCH_ACCOUNTS")
ACCOUNTS = json.loads(Path(_accounts_file).read_text()) if _accounts_file else {}
AGENTS: list[str] = ACCOUNTS.get("agents") or ["bench-agent-0021"]
LEADS: list[str] = ACCOUNTS.get("leads") or ["bench-lead-01"]

_sessions: dict[str, str] = {}
if SESSIONS and Path(SESSIONS).exists():
    _sessions = json.loads(Path(SESSIONS).read_text())
REUSED = len(_sessions)
_numbers = {"agent": itertools.count(), "lead": itertools.count()}
_ready = 0
_window: dict[str, float] = {}
_records: list[tuple[str, float, bool]] = []  # (page, milliseconds, failed) of the window
_refused = {"n": 0}  # state-machine refusals in the window: the page said no, not an error
_outside = {"errors": 0}  # failures before the window (signing in, settling): errors too
_sign_ins: list[float] = []  # every sign-in's time, window or not: they happen while spawning

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
INPUT = re.compile(r"<input\b[^>]*>", re.I)
ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
CSRF = re.compile(
    r"""name=["']csrfmiddlewaretoken["'][^>]*value=["']([^"']+)|"X-CSRFToken":\s*"([^"]+)\""""
)
TAGS = re.compile(r"<[^>]+>")


def attr(tag: str, name: str) -> str | None:
    match = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tag, re.I)
    if not match:
        return None
    return html.unescape(next(g for g in match.groups() if g is not None))


def forms(body: str, action: str) -> list[tuple[str, dict[str, str]]]:
    """The POST forms whose action matches ``action`` (a pattern), and the htmx buttons that
    post there: (action, hidden fields or ``hx-vals``)."""
    found = []
    for head, inner in FORM.findall(body):
        target = attr(head, "action") or ""
        if (attr(head, "method") or "get").lower() != "post" or not re.search(action, target):
            continue
        fields = {}
        for tag in INPUT.findall(inner):
            if (attr(tag, "type") or "text").lower() == "hidden" and attr(tag, "name"):
                fields[attr(tag, "name")] = attr(tag, "value") or ""
        found.append((target, fields))
    # htmx buttons outside a form (the quick-log buttons of a row): hx-post and hx-vals.
    for tag in re.findall(r"<button\b[^>]*>", body, re.I):
        target = attr(tag, "hx-post") or ""
        if target and re.search(action, target) and not any(t == target for t, _ in found):
            try:
                values = json.loads(attr(tag, "hx-vals") or "{}")
            except ValueError:
                values = {}
            found.append((target, {k: str(v) for k, v in values.items()}))
    return found


def links(body: str, href: str) -> list[tuple[str, str]]:
    """The links whose href matches ``href`` (a pattern): (href, text)."""
    found = []
    for head, inner in ANCHOR.findall(body):
        target = attr(head, "href")
        if target and re.fullmatch(href, target):
            found.append((target, html.unescape(TAGS.sub("", inner)).strip()))
    return found


def next_link(body: str) -> str | None:
    for head, _ in ANCHOR.findall(body):
        if re.search(r"""\brel=["']?next\b""", head):
            return attr(head, "href")
    return None


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    if name == "sign in":
        _sign_ins.append(response_time)
    if "start" in _window and "end" not in _window:
        _records.append((name, response_time, exception is not None))
    elif exception is not None and "end" not in _window:
        _outside["errors"] += 1


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary() -> dict:
    by_page: dict[str, list[tuple[float, bool]]] = {}
    for name, ms, failed in _records:
        by_page.setdefault(name, []).append((ms, failed))

    def figures(rows: list[tuple[float, bool]]) -> dict:
        times = [ms for ms, _ in rows]
        return {
            "requests": len(rows),
            "errors": sum(1 for _, failed in rows if failed),
            "p50_ms": percentile(times, 0.50),
            "p95_ms": percentile(times, 0.95),
            "p99_ms": percentile(times, 0.99),
            "max_ms": max(times, default=0.0),
        }

    every = [row for rows in by_page.values() for row in rows]
    seconds = _window.get("end", time.time()) - _window.get("start", time.time())
    return {
        "users": USERS,
        "window": {"start": _window.get("start"), "end": _window.get("end")},
        "seconds": seconds,
        "rps": len(every) / seconds if seconds > 0 else 0.0,
        "refused": _refused["n"],
        "ready": _ready,
        "errors_before_window": _outside["errors"],
        "sign_ins": len(_sign_ins),
        "sign_in_p50_ms": percentile(_sign_ins, 0.50),
        "sign_in_p95_ms": percentile(_sign_ins, 0.95),
        **figures(every),
        "pages": {name: figures(rows) for name, rows in sorted(by_page.items())},
    }


class Person(FastHttpUser):
    """What agents and leads share: signing in, reading pages, posting a page's form."""

    abstract = True
    wait_time = between(*WAIT)
    kind = "agent"
    accounts: list[str] = AGENTS

    def on_start(self) -> None:
        global _ready
        self.number = next(_numbers[self.kind])
        self.username = self.accounts[self.number % len(self.accounts)]
        self.key = f"{self.kind}-{self.number}"
        self.csrf = ""
        self.last: dict[str, str] = {}  # the last body of each page, to pick from
        stored = _sessions.get(self.key)
        if stored:
            self.client.cookiejar.set_cookie(self._cookie("sessionid", stored))
        if not stored or not self.page("/", "home", expect_signed_in=False):
            self.sign_in()
        _ready += 1

    def _cookie(self, name: str, value: str):
        from http.cookiejar import Cookie

        host = self.host.split("://", 1)[-1].split(":")[0].split("/")[0]
        return Cookie(0, name, value, None, False, host, False, False, "/", True, False,
                      None, False, None, None, {})  # fmt: skip

    def sign_in(self) -> None:
        with self.client.get("/login/", name="login form", catch_response=True) as response:
            token = CSRF.search(response.text or "")
            if response.status_code != 200 or not token:
                response.failure(f"login form: HTTP {response.status_code}")
                return
            response.success()
        fields = {
            "csrfmiddlewaretoken": token.group(1) or token.group(2),
            "username": self.username,
            "password": PASSWORD,
        }
        with self.client.post(
            "/login/", data=fields, name="sign in", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302 or "/login/" in (response.headers.get("Location") or ""):
                response.failure(f"sign in as {self.username}: HTTP {response.status_code}")
                return
            response.success()
        for cookie in self.client.cookiejar:
            if cookie.name == "sessionid":
                _sessions[self.key] = cookie.value
        self.page("/", "home")

    def page(self, path: str, name: str, expect_signed_in: bool = True) -> str | None:
        """GET a page; its body, or None (and a failure) when it did not answer 200."""
        with self.client.get(
            path, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code == 302 and not expect_signed_in:
                response.success()  # the stored session is gone: sign in again
                return None
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            body = response.text or ""
            token = CSRF.search(body)
            if token:
                self.csrf = token.group(1) or token.group(2)
            self.last[name] = body
            response.success()
            return body

    def submit(self, action: str, fields: dict[str, str], name: str, referer: str) -> None:
        """POST a form as the page's htmx does; a refusal by the state machine is no error."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": referer}
        with self.client.post(
            action, data=fields, headers=headers, name=name, catch_response=True,
            allow_redirects=False,
        ) as response:  # fmt: skip
            status = response.status_code
            if status in (200, 204, 302, 303):
                response.success()
            elif status in (400, 409) and name in {"approve", "confirm posted"}:
                _refused["n"] += "start" in _window and "end" not in _window
                response.success()
            else:
                response.failure(f"HTTP {status}")


class Agent(Person):
    """An agent's day: the home, the contact list and its search, a contact, an interaction
    logged, a post confirmed."""

    weight = len(AGENTS)
    kind = "agent"
    accounts = AGENTS

    def _contacts_seen(self) -> list[tuple[str, str]]:
        seen = []
        for body in self.last.values():
            seen.extend(links(body, r"/contacts/\d+/"))
        return seen

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def contact_list(self) -> None:
        """The list's first page, or the next one of the list open (as a person pages on)."""
        body = self.last.get("contacts")
        nxt = next_link(body) if body and random.random() < 0.5 else None
        if nxt:
            self.page("/contacts/" + nxt if nxt.startswith("?") else nxt, "contacts, next page")
            return
        self.page("/contacts/", "contacts")

    @task(2)
    def search(self) -> None:
        names = [text for _, text in self._contacts_seen() if text]
        if not names:
            self.page("/contacts/", "contacts")
            return
        name = random.choice(names)
        term = name[: random.randint(1, max(1, len(name)))]
        self.page(f"/contacts/?q={urllib.parse.quote(term)}", "contacts, search")

    @task(2)
    def contact(self) -> None:
        seen = self._contacts_seen()
        if not seen:
            self.page("/contacts/", "contacts")
            return
        self.page(random.choice(seen)[0], "contact")

    @task(1)
    def log_interaction(self) -> None:
        """Log an interaction with the contact open (its own form), else open one first."""
        body = self.last.get("contact")
        found = forms(body, r"/contacts/\d+/interactions/") if body else []
        if not found:
            self.contact()
            return
        action, fields = random.choice(found)
        self.submit(action, fields, "log interaction", action.replace("interactions/", ""))
        self.last.pop("contact", None)

    @task(1)
    def confirm_posted(self) -> None:
        """Confirm a post the home shows is on Moments ("Posted"), if it shows one."""
        body = self.page("/", "home")
        found = forms(body, r"/schedule/posts/\d+/posted/") if body else []
        if found:
            action, fields = random.choice(found)
            self.submit(action, fields, "confirm posted", "/")


class Lead(Person):
    """A lead's day: the team week and its approvals, the home, the team's contacts."""

    weight = len(LEADS)
    kind = "lead"
    accounts = LEADS

    @task(3)
    def team_week(self) -> None:
        self.page("/schedule/team/", "team week")

    @task(2)
    def approve(self) -> None:
        """Approve a post the team week last showed waiting for review."""
        body = self.last.get("team week")
        found = forms(body, r"/schedule/posts/\d+/approve/") if body else []
        if not found:
            self.team_week()
            return
        action, fields = found.pop(random.randrange(len(found)))
        self.submit(action, fields, "approve", "/schedule/team/")

    @task(2)
    def home(self) -> None:
        self.page("/", "lead home")

    @task(1)
    def team_list(self) -> None:
        self.page("/contacts/", "team contacts")


class Step(LoadTestShape):
    """One step of the ladder: spawn, wait until every user has signed in, settle, measure."""

    def __init__(self) -> None:
        super().__init__()
        self.spawned_at: float | None = None
        self.ready_at: float | None = None

    def tick(self):
        now = time.time()
        runner = self.runner
        count = runner.user_count if runner is not None else 0
        if self.spawned_at is None:
            if count >= USERS:
                self.spawned_at = now
            elif count < min(REUSED, USERS):
                return min(REUSED, USERS), SPAWN_RATE
            return USERS, SIGN_IN_RATE
        if self.ready_at is None:
            if _ready >= USERS:
                self.ready_at = now
            elif now - self.spawned_at > READY_TIMEOUT_S:
                _window.update(start=now, end=now, timeout=1.0)
                write_summary()
                return None
            return USERS, SPAWN_RATE
        if "start" not in _window and now - self.ready_at >= SETTLE_S:
            _window["start"] = now
        if "start" in _window and now - _window["start"] >= MEASURE_S:
            _window["end"] = now
            write_summary()
            return None
        return USERS, SPAWN_RATE


def write_summary() -> None:
    if OUT:
        data = summary() | {"ready_timeout": "timeout" in _window}
        Path(OUT).write_text(json.dumps(data))


@events.test_stop.add_listener
def _keep_sessions(**kwargs) -> None:
    if SESSIONS:
        Path(SESSIONS).write_text(json.dumps(_sessions))
