"""Benchmark: import a generated 10,000-row contact CSV into PostgreSQL and print the time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siyu_bench \
        python bench/import_contacts.py [ROWS]

Migrates the database, makes a fresh benchmark agent, writes a GBK CSV (as Chinese Excel saves
it) with every column filled, 3 tags per row from a pool of 30 and a group from 8, and 1 % bad
rows, then runs the same service the Celery task runs, in this process: once creating every
contact, once more with "update existing" and every row a duplicate with another city (each
contact rewritten), and once more with the same file (nothing changes, nothing is rewritten).
Prints figures, not verdicts.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from contacts.models import Contact, ContactImport, DuplicatePolicy
from contacts.services import contact_import_run
from crm.models import User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TAGS = [f"标签{i}" for i in range(30)]
GROUPS = [f"分组{i}" for i in range(8)]


def make_csv(rows: int, city: str = "上海") -> bytes:
    rng = random.Random(42)
    lines = ["姓名,备注,微信号,手机,标签,分组,来源,城市,阶段"]
    for i in range(rows):
        phone = f"139{i:08d}" if i % 100 != 7 else "12345"  # 1 % bad phones
        tags = "、".join(rng.sample(TAGS, 3))
        lines.append(
            f'{rng.choice(SURNAMES)}客户{i},备注{i},wx_bench_{i:06d},{phone},"{tags}",'
            f"{rng.choice(GROUPS)},转介绍,{city},有意向"
        )
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def run(owner: User, data: bytes, policy: str) -> tuple[float, ContactImport]:
    contact_import = ContactImport(owner=owner, original_name="bench.csv", on_duplicate=policy)
    contact_import.file.save("bench.csv", ContentFile(data), save=False)
    contact_import.save()
    started = time.perf_counter()
    result = contact_import_run(import_id=contact_import.pk)
    return time.perf_counter() - started, result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        print(f"warning: running on {engine}, not PostgreSQL (set DATABASE_URL)")
    call_command("migrate", verbosity=0)
    owner = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", language="en")
    data = make_csv(rows)
    moved = make_csv(rows, city="杭州")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"file: {rows} rows, {len(data) / 1024:.0f} KiB GBK CSV, 3 tags and 1 group per row")
    for label, policy, file in (
        ("create", DuplicatePolicy.SKIP, data),
        ("update", DuplicatePolicy.UPDATE, moved),
        ("same", DuplicatePolicy.UPDATE, moved),
    ):
        seconds, result = run(owner, file, policy)
        print(
            f"{label:>6}: {seconds:6.2f} s  {rows / seconds:8.0f} rows/s  "
            f"created={result.created_count} updated={result.updated_count} "
            f"not imported={result.skipped_count} status={result.status}"
        )
    print(f"contacts owned by the bench agent: {Contact.objects.filter(owner=owner).count()}")


if __name__ == "__main__":
    main()
