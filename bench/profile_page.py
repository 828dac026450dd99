"""Profile one page in-process on the seeded data: where its time goes, Python or database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench \
        .venv/bin/python bench/profile_page.py /schedule/team/ --user bench-lead-01 [--repeat 20]

Serves the path through Django's full stack (middleware, session, templates; ``DEBUG=0``)
``--repeat`` times as ``--user`` after two warm-up requests, then prints the median time, the
CPU time, the queries per request and the share of the time spent waiting for PostgreSQL, and
pyinstrument's call tree of as many more requests (``--no-tree`` to leave it out). Needs
``manage.py seed_bench``'s data (any user works with ``--user``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "0"  # the production code paths (templates cached, no debug toolbar)

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from crm.models import User


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--user", default="bench-agent-0021")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-tree", action="store_true")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval (s)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    user = User.objects.get(username=args.user)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        for _ in range(2):
            response = client.get(args.path)
            if response.status_code != 200:
                sys.exit(f"GET {args.path} as {args.user}: HTTP {response.status_code}")
        times, cpu_times, db_times, counts = [], [], [], []
        for _ in range(args.repeat):  # timed without the profiler: it costs time itself
            waits = []
            with connection.execute_wrapper(_Timed(waits)):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(args.path)
                times.append(time.perf_counter() - started)
                cpu_times.append(time.process_time() - started_cpu)
            counts.append(len(waits))
            db_times.append(sum(waits))
        profiler = Profiler(interval=args.interval, use_timing_thread=True)
        if not args.no_tree:
            profiler.start()
            for _ in range(args.repeat):
                client.get(args.path)
            profiler.stop()
    total, db = statistics.median(times), statistics.median(db_times)
    cpu = statistics.median(cpu_times)
    print(
        f"GET {args.path} as {args.user} ({user.get_role_display()}), {args.repeat} requests: "
        f"median {total * 1000:.1f} ms, of which waiting for PostgreSQL {db * 1000:.1f} ms "
        f"({db / total:.0%}); CPU time of this process {cpu * 1000:.1f} ms (less disturbed by "
        f"other processes); {statistics.median(counts):.0f} queries; "
        f"{len(response.content) / 1024:.0f} KiB of body"
    )
    if not args.no_tree:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
