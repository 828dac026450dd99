"""Benchmark: two Celery worker processes dispatch 10,000 due posts; time, duplicates, lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench REDIS_URL=redis://127.0.0.1:6379/15 \
        python bench/dispatch.py [POSTS] [--workers 2] [--batch 50]

Migrates the database, creates a fresh benchmark agent with 20 personas and POSTS scheduled
posts all due now, starts WORKERS ``celery worker`` processes (concurrency 1 each) on a queue
of its own, and two "beats" (threads sending a "go look" tick every second, as two beat
processes would). Stops when no post is left scheduled, then prints the wall time from the
first tick, throughput, and the counts that must be zero: posts with more than one reminder
or more than one successful publish (duplicates) and posts not sent (lost). The benchmark's
rows are deleted at the end. Figures, not verdicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from contacts.models import Persona
from content.models import ContentItem
from crm.models import User
from scheduler.models import (
    AttemptOutcome,
    DispatchAttempt,
    MomentPost,
    PostingWindow,
    PostStatus,
    Reminder,
)
from scheduler.tasks import dispatch_due


def make_posts(count: int, tag: str) -> tuple[User, list[int]]:
    owner = User.objects.create(username=f"bench-dispatch-{tag}")
    personas = Persona.objects.bulk_create(
        Persona(owner=owner, nickname=f"压测{i}-保险规划师", licence_number="0" * 26)
        for i in range(20)
    )
    item = ContentItem.objects.create(
        title="压测", body="今天聊聊家庭保障怎么配。", category="story", status="approved"
    )
    window = PostingWindow.objects.filter(owner=None, team=None).order_by("start").first()
    now = timezone.now()
    posts = MomentPost.objects.bulk_create(
        (
            MomentPost(
                persona=personas[i % len(personas)],
                content=item,
                title=item.title,
                text=f"{item.body} #{i}",
                category="story",
                window=window,
                window_name=window.name if window else "",
                scheduled_at=now - dt.timedelta(seconds=i % 600),
                window_ends_at=now + dt.timedelta(hours=2),
                status=PostStatus.SCHEDULED,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    return owner, [p.pk for p in posts]


def start_worker(queue: str, index: int, batch: int, log_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "SCHEDULER_BATCH_SIZE": str(batch)}
    log = (log_dir / f"bench-dispatch-worker-{index}.log").open("w")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-P",
            "prefork",
            "--loglevel=WARNING",
            "-n",
            f"bench{index}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("posts", nargs="?", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("warning: not PostgreSQL (set DATABASE_URL); SQLite has no row locks")
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        print("warning: no REDIS_URL; using the file-system broker")
    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    queue = f"bench-dispatch-{tag}"
    setup = time.perf_counter()
    owner, ids = make_posts(args.posts, tag)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"
    )
    print(
        f"data: {len(ids)} due posts over 20 personas, created in "
        f"{time.perf_counter() - setup:.1f} s"
    )
    log_dir = Path(settings.VAR_DIR)
    workers = [start_worker(queue, i, args.batch, log_dir) for i in range(args.workers)]
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            dispatch_due.apply_async(queue=queue)
            stop.wait(1.0)

    try:
        time.sleep(3)  # let the workers connect; the clock starts at the first tick
        started = time.perf_counter()
        load_at_start = os.getloadavg()[0]
        beats = [threading.Thread(target=beat, daemon=True) for _ in range(2)]
        for thread in beats:
            thread.start()
        mine = MomentPost.objects.filter(pk__in=ids)
        while time.perf_counter() - started < args.timeout:
            if not mine.filter(status=PostStatus.SCHEDULED).exists():
                break
            dead = [i for i, proc in enumerate(workers) if proc.poll() is not None]
            if dead:  # e.g. the code does not import: say so instead of waiting out the timeout
                logs = ", ".join(str(log_dir / f"bench-dispatch-worker-{i}.log") for i in dead)
                print(f"error: worker process(es) exited early; see {logs}")
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        stop.set()
        sent = mine.filter(status=PostStatus.SENT).count()
        reminders = Reminder.objects.filter(post__in=ids).values("post").annotate(n=Count("pk"))
        duplicate_reminders = sum(r["n"] - 1 for r in reminders if r["n"] > 1)
        successes = (
            DispatchAttempt.objects.filter(post__in=ids, outcome=AttemptOutcome.OK)
            .values("post")
            .annotate(n=Count("pk"))
        )
        duplicate_publishes = sum(r["n"] - 1 for r in successes if r["n"] > 1)
        per_worker = dict(
            DispatchAttempt.objects.filter(post__in=ids)
            .values_list("worker")
            .annotate(n=Count("pk"))
        )
        print(
            f"workers: {args.workers} processes x concurrency 1, batch {args.batch}, "
            f"2 beats ticking every 1 s"
        )
        print(f"time: {seconds:.1f} s for {len(ids)} posts ({len(ids) / seconds:.0f} posts/s)")
        # The host's other work moves the figure; say how busy it was.
        print(
            f"load average (1 min) at the first tick and at the end: {load_at_start:.1f}, "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"sent: {sent}; lost (not sent): {len(ids) - sent}")
        print(
            f"duplicates: {duplicate_reminders} extra reminders, "
            f"{duplicate_publishes} extra successful publishes"
        )
        print(
            "attempts per worker process: "
            + ", ".join(f"{w.split(':')[-1]}={n}" for w, n in sorted(per_worker.items()))
        )
    finally:
        stop.set()
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        MomentPost.objects.filter(pk__in=ids).delete()
        ContentItem.objects.filter(title="压测", posts__isnull=True).delete()
        owner.delete()


if __name__ == "__main__":
    main()
