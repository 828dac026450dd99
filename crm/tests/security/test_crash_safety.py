"""Dispatch survives its infrastructure failing mid-run: the broker restarted with every message
lost, and the worker's PostgreSQL connection terminated mid-batch. Each due post is still sent
exactly once (one reminder, one successful attempt), with two beats ticking.

(A worker killed by SIGKILL mid-send is in scheduler/tests/test_dispatch_workers.py.)

Real processes throughout: ``celery worker`` processes on the test database, a Redis server
of the test's own on port 6390 as their broker (the shared one on 6379 is never touched),
and ``pg_terminate_backend`` on the worker's connections.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import Connection

from conftest import wait_for
from scheduler.models import AttemptOutcome, DispatchAttempt, MomentPost, PostStatus, Reminder
from scheduler.tasks import dispatch_due
from scheduler.tests.test_dispatch_workers import make_due_posts, per_post, wait_ready

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PORT = 6390
BROKER = f"redis://127.0.0.1:{PORT}/0"


class PrivateRedis:
    """A redis-server of this test's own, without persistence: a restart loses everything."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=PORT, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(up, timeout=10)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    try:
        redis.Redis(port=PORT, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pass
    else:
        pytest.fail(f"port {PORT} is taken by another Redis; this test needs it for its own")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


class Beat(threading.Thread):
    """One celery beat's "go look" tick through the private broker; rides out its outages."""

    def __init__(self, queue: str, every: float) -> None:
        super().__init__(daemon=True)
        self.queue, self.every, self.stop = queue, every, threading.Event()
        self.sent = self.failed = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with Connection(BROKER, connect_timeout=1) as conn:
                    dispatch_due.apply_async(queue=self.queue, connection=conn, retry=False)
                self.sent += 1
            except Exception:  # the broker is down past kombu's retries: tick again later
                self.failed += 1
            self.stop.wait(self.every)


def assert_each_sent_exactly_once(ids: list[int]) -> None:
    assert MomentPost.objects.filter(pk__in=ids, status=PostStatus.SENT).count() == len(ids)
    reminders = per_post(Reminder)
    assert len(reminders) == len(ids) and set(reminders.values()) == {1}
    successes = per_post(DispatchAttempt, outcome=AttemptOutcome.OK)
    assert len(successes) == len(ids) and set(successes.values()) == {1}


def _all_sent(count: int):
    return lambda: MomentPost.objects.filter(status=PostStatus.SENT).count() == count


def test_broker_restarted_mid_run_each_post_still_sent_once(celery_worker_process, private_redis):
    ids = make_due_posts(40, agents=4)
    env = {
        "CELERY_BROKER_URL": BROKER,
        "SCHEDULER_TEST_PUBLISH_DELAY": "0.1",
        "SCHEDULER_BATCH_SIZE": "5",
        "SCHEDULER_TICK_BUDGET_SECONDS": "0",
        "SCHEDULER_LEASE_SECONDS": "3",
    }
    worker = celery_worker_process(concurrency=2, extra_env=env)
    wait_ready(worker)
    beats = [Beat(worker.queue, 0.3), Beat(worker.queue, 0.3)]
    for beat in beats:
        beat.start()
    try:
        wait_for(lambda: MomentPost.objects.filter(status=PostStatus.SENT).count() >= 5, timeout=60)
        # Redis dies with every queued tick in it, and comes back empty two seconds later.
        private_redis.kill()
        sent_at_crash = MomentPost.objects.filter(status=PostStatus.SENT).count()
        time.sleep(2)
        private_redis.start()
        wait_for(_all_sent(40), timeout=120, interval=0.25)
    finally:
        for beat in beats:
            beat.stop.set()
    assert sent_at_crash < 40, "the crash came too late to test anything"
    # The worker saw its broker go and came back to the new one.
    assert "Connection to broker lost" in worker.output(), worker.output()[-2000:]
    assert worker.proc.poll() is None, "the worker died instead of reconnecting"
    assert_each_sent_exactly_once(ids)


def test_database_connection_dropped_mid_batch_each_post_still_sent_once(
    celery_worker_process, private_redis
):
    ids = make_due_posts(30, agents=3)
    env = {
        "CELERY_BROKER_URL": BROKER,
        "SCHEDULER_TEST_PUBLISH_DELAY": "0.3",
        "SCHEDULER_BATCH_SIZE": "10",
        "SCHEDULER_LEASE_SECONDS": "3",
    }
    worker = celery_worker_process(extra_env=env)
    wait_ready(worker)
    beats = [Beat(worker.queue, 0.5), Beat(worker.queue, 0.5)]
    for beat in beats:
        beat.start()
    try:
        # Mid-send: a reminder is written for a post not yet recorded as sent.
        wait_for(
            lambda: Reminder.objects.count() >= 3
            and Reminder.objects.filter(post__status=PostStatus.SCHEDULED).exists(),
            timeout=60,
            interval=0.02,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated = cursor.rowcount
        sent_at_crash = MomentPost.objects.filter(status=PostStatus.SENT).count()
        wait_for(_all_sent(30), timeout=120, interval=0.25)
    finally:
        for beat in beats:
            beat.stop.set()
    assert terminated >= 1
    assert sent_at_crash < 30
    assert "terminating connection" in worker.output() or "server closed" in worker.output()
    assert worker.proc.poll() is None
    assert_each_sent_exactly_once(ids)
