"""Reading a statement's plan in a PostgreSQL test."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def index_plan(sql: str, params: Sequence | None = None) -> str:
    """``EXPLAIN`` of ``sql`` (with ``params``; none for a captured statement, whose values
    are written in), the scans that could read a whole table or sort it made dear for the
    rest of the test's transaction.

    On a table of a test's size which index the planner reads is its choice (and without
    statistics it guesses from the table's size on disk, which rolled-back rows grow);
    ``bench/`` measures the big tables. With the others made dear, the plan says whether an
    index fits the statement at all.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
