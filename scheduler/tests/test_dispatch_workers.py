"""Exactly-once dispatch with real Celery worker processes on PostgreSQL and Redis.

The workers are separate ``celery worker`` processes on the test database; ticks are real
broker messages. Nothing of ours is replaced.
"""

import datetime as dt
import signal
import threading

import pytest
from django.db.models import Count
from django.utils import timezone

from conftest import wait_for
from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory
from scheduler.models import (
    AttemptOutcome,
    DispatchAttempt,
    MomentPost,
    PostStatus,
    Reminder,
)
from scheduler.tasks import dispatch_due
from scheduler.tests.factories import LICENCE, ContentItemFactory, default_window

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def make_due_posts(count: int, agents: int = 5) -> list[int]:
    personas = [PersonaFactory(owner=AgentFactory(), licence_number=LICENCE) for _ in range(agents)]
    item = ContentItemFactory()
    window = default_window("commute")
    now = timezone.now()
    posts = [
        MomentPost(
            persona=personas[i % agents],
            content=item,
            title=item.title,
            text=f"{item.body} #{i}",
            category=item.category,
            window=window,
            window_name=window.name,
            scheduled_at=now - dt.timedelta(seconds=i % 60),
            window_ends_at=now + dt.timedelta(hours=1),
            status=PostStatus.SCHEDULED,
        )
        for i in range(count)
    ]
    return [p.pk for p in MomentPost.objects.bulk_create(posts)]


def wait_ready(*workers) -> None:
    for worker in workers:
        wait_for(lambda w=worker: "ready." in w.output(), timeout=60)


def per_post(model, **filters) -> dict[int, int]:
    rows = model.objects.filter(**filters).values("post").annotate(n=Count("pk"))
    return {row["post"]: row["n"] for row in rows}


class Beat(threading.Thread):
    """A stand-in for one celery beat: sends a "go look" tick every ``every`` seconds."""

    def __init__(self, queue: str, every: float) -> None:
        super().__init__(daemon=True)
        self.queue, self.every, self.stop = queue, every, threading.Event()
        self.sent = 0

    def run(self) -> None:
        while not self.stop.is_set():
            dispatch_due.apply_async(queue=self.queue)
            self.sent += 1
            self.stop.wait(self.every)


def test_two_workers_and_two_beats_send_500_posts_exactly_once(celery_worker_process):
    ids = make_due_posts(500)
    # Small batches and one batch per tick, so the work really interleaves across processes.
    env = {"SCHEDULER_BATCH_SIZE": "10", "SCHEDULER_TICK_BUDGET_SECONDS": "0"}
    first = celery_worker_process(concurrency=2, extra_env=env)
    second = celery_worker_process(queue=first.queue, concurrency=2, extra_env=env)
    wait_ready(first, second)
    beats = [Beat(first.queue, 0.05), Beat(first.queue, 0.05)]
    for beat in beats:
        beat.start()
    try:
        wait_for(
            lambda: not MomentPost.objects.filter(status=PostStatus.SCHEDULED).exists(),
            timeout=180,
            interval=0.5,
        )
    finally:
        for beat in beats:
            beat.stop.set()
    assert MomentPost.objects.filter(pk__in=ids, status=PostStatus.SENT).count() == 500
    reminders = per_post(Reminder)
    attempts = per_post(DispatchAttempt)
    assert len(reminders) == 500 and set(reminders.values()) == {1}
    assert len(attempts) == 500 and set(attempts.values()) == {1}
    assert not DispatchAttempt.objects.exclude(outcome=AttemptOutcome.OK).exists()
    # Both worker processes (and both pool children of each, usually) did part of the work.
    workers = set(DispatchAttempt.objects.values_list("worker", flat=True))
    assert len(workers) >= 2, workers
    assert all(beat.sent > 1 for beat in beats)
    assert first.proc.poll() is None and second.proc.poll() is None


def test_a_worker_killed_mid_batch_loses_no_post_and_doubles_none(celery_worker_process):
    ids = make_due_posts(30, agents=3)
    lease = 3
    slow = celery_worker_process(
        extra_env={
            "SCHEDULER_TEST_PUBLISH_DELAY": "0.4",
            "SCHEDULER_LEASE_SECONDS": str(lease),
            "SCHEDULER_BATCH_SIZE": "10",
        }
    )
    wait_ready(slow)
    dispatch_due.apply_async(queue=slow.queue)

    # Kill it while a post is mid-send: its reminder is written, the post not yet recorded.
    def in_flight():
        return (
            Reminder.objects.filter(post__status=PostStatus.SCHEDULED).values_list(
                "post", flat=True
            )
            if Reminder.objects.count() >= 3
            else None
        )

    in_flight_posts = list(wait_for(in_flight, timeout=60, interval=0.02))
    slow.kill(signal.SIGKILL)
    assert slow.proc.poll() is not None
    [victim] = in_flight_posts
    claimed_by_dead = MomentPost.objects.filter(
        status=PostStatus.SCHEDULED, claim_token__isnull=False
    ).count()
    assert claimed_by_dead >= 1  # the dead worker's leased rows: the victim and its batch
    sent_before = MomentPost.objects.filter(status=PostStatus.SENT).count()
    assert sent_before < 30

    rescuer = celery_worker_process(
        queue=slow.queue, extra_env={"SCHEDULER_LEASE_SECONDS": str(lease)}
    )
    wait_ready(rescuer)
    beat = Beat(slow.queue, 0.5)
    beat.start()
    try:
        wait_for(
            lambda: MomentPost.objects.filter(status=PostStatus.SENT).count() == 30,
            timeout=90,
            interval=0.25,
        )
    finally:
        beat.stop.set()

    assert MomentPost.objects.filter(pk__in=ids, status=PostStatus.SENT).count() == 30
    reminders = per_post(Reminder)
    assert len(reminders) == 30 and set(reminders.values()) == {1}
    successes = per_post(DispatchAttempt, outcome=AttemptOutcome.OK)
    assert len(successes) == 30 and set(successes.values()) == {1}
    # The victim was published twice with one key: the rescuer found the dead worker's
    # reminder and recorded the post once.
    [attempt] = DispatchAttempt.objects.filter(post=victim)
    assert attempt.outcome == AttemptOutcome.OK and "existing" in attempt.receipt
    assert DispatchAttempt.objects.count() == 30
