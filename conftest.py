"""Fixtures shared by every app's tests: service gating and real Celery worker processes.

Tests that need PostgreSQL or Redis carry ``@pytest.mark.postgres`` / ``@pytest.mark.redis``.
Without the server they skip with the reason; with REQUIRE_SERVICES=1 (CI) they fail instead,
so a CI run can never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _postgres_problem() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (running on SQLite)"
    return None


def _redis_problem() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "needs Redis: set REDIS_URL=redis://..."
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"needs Redis at {url}: {exc}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    checks = {"postgres": _postgres_problem, "redis": _redis_problem}
    for name, check in checks.items():
        if item.get_closest_marker(name) is None:
            continue
        problem = check()
        if problem is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {problem}")
        pytest.skip(problem)


def database_url_for_subprocess() -> str:
    """The URL of the database the tests are using right now (the test database)."""
    s = connection.settings_dict
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class WorkerProcess:
    def __init__(self, proc: subprocess.Popen, queue: str, log: Path) -> None:
        self.proc = proc
        self.queue = queue
        self.log = log

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group: the main process and its pool children (which
        outlive a main process killed alone)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        if sig == signal.SIGKILL:
            self.proc.wait(timeout=30)

    def stop(self, grace: float = 10.0) -> None:
        """A warm shutdown, then SIGKILL for whatever is still running after ``grace`` s, so
        no worker outlives its test holding the test database."""
        if self.proc.poll() is None:
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=grace)
        self.kill(signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def celery_worker_process(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real ``celery worker`` processes on the test database and the real broker.

    Each call returns a running worker consuming a queue unique to this test, so no other
    worker on the machine can take the test's messages. All are stopped at teardown.
    """
    started: list[WorkerProcess] = []
    default_queue = f"test-{uuid.uuid4().hex[:12]}"

    def start(
        *,
        queue: str = default_queue,
        concurrency: int = 1,
        pool: str = "prefork",
        beat: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "SIYU_VAR_DIR": str(tmp_path / "var"),
            **(extra_env or {}),
        }
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-P",
            pool,
            "--loglevel=INFO",
            "-n",
            f"w{len(started)}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            cmd.append("-B")
        with log.open("w") as out:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = WorkerProcess(proc, queue, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1):
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Tests run without collectstatic: serve static files from the app folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def _browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test body around it are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(_browser, request):
    """A fresh browser page; a failing test leaves a screenshot in test-artifacts/."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url)
        if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
        else None,
    )
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not external, f"pages loaded assets from outside the app: {external}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# (module, forward function) of every data migration whose rows the app relies on.
SEED_MIGRATIONS = [
    ("crm.migrations.0002_role_groups", "create_groups"),
    ("content.migrations.0002_role_permissions", "grant"),
    ("content.migrations.0003_seed_compliance_rules", "seed"),
    ("contacts.migrations.0002_interactions", "seed_kinds"),
    ("scheduler.migrations.0002_default_windows", "create_defaults"),
]


@pytest.fixture
def migration_rows(transactional_db):
    """The data migrations' rows, as after ``migrate``, for transactional tests.

    A transactional test empties every table when it ends, the rows the data migrations wrote
    included (role groups and permissions, compliance rules, interaction kinds, default
    windows); a later transactional test that needs them asks for this fixture, which runs
    the migrations' own forward functions (each a get_or_create).
    """
    from importlib import import_module

    from django.apps import apps

    from content.compliance_rules import rules_changed

    content_config = apps.get_app_config("content")
    models_module = content_config.models_module  # "grant" overwrites it for historical apps
    try:
        for module, function in SEED_MIGRATIONS:
            getattr(import_module(module), function)(apps, None)
    finally:
        content_config.models_module = models_module
    rules_changed()  # the cached checker belongs to the previous test's rule rows
    yield
    rules_changed()


@pytest.fixture(scope="session", autouse=True)
def _empty_shared_cache() -> None:
    """The test database is created afresh for each run, its ids starting at 1 again, while a
    Redis cache outlives it: entries keyed by id from an earlier run (the signed-in users of
    ``crm.auth_backends``) would describe other rows. Each run starts with an empty cache."""
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()
