"""The contact and interaction tables carry no index another one makes redundant.

Every index is written on every insert, and on every update of a contact (the warmth recompute
changes all of them, and its indexed columns rule out PostgreSQL's in-place updates): an
index whose columns lead a wider one costs a write per row and serves no read the wider one
does not.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TABLES = ("contacts_contact", "contacts_interaction")


def plain_indexes(table: str) -> dict[str, list[str]]:
    """Each index of ``table`` that is neither unique nor partial: its name -> its columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ix.relname, array_agg(att.attname ORDER BY key.n)
            FROM pg_index i
            JOIN pg_class ix ON ix.oid = i.indexrelid
            CROSS JOIN LATERAL unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY AS key(col, n)
            JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = key.col
            WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND i.indpred IS NULL
            GROUP BY ix.relname
            """,
            [table],
        )
        return dict(cursor.fetchall())


def test_no_plain_index_is_the_leading_columns_of_another():
    for table in TABLES:
        indexes = plain_indexes(table)
        assert len(indexes) >= 3  # the composites are there (the query reads them)
        for name, columns in indexes.items():
            for other, wider in indexes.items():
                if other != name and wider[: len(columns)] == columns:
                    pytest.fail(f"{table}: {name} {columns} leads {other} {wider}")


def test_the_owner_and_contact_are_each_led_by_a_composite():
    contact, interaction = (plain_indexes(table) for table in TABLES)
    assert contact["contact_owner_created"][0] == "owner_id"
    assert interaction["interaction_contact_at"][:2] == ["contact_id", "at"]


def test_the_migration_drops_the_three_indexes_and_gives_them_back():
    def names() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [list(TABLES)]
            )
            return {row[0] for row in cursor.fetchall()}

    dropped = {
        "contacts_contact_owner_id_0103c1ee",
        "contacts_contact_source_c7a67614",
        "contacts_contact_source_c7a67614_like",
        "contacts_interaction_contact_id_f3ad413f",
    }
    assert not names() & dropped
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0008_sourcecount")])
    assert names() >= dropped
    executor.loader.build_graph()
    executor.migrate([("contacts", "0009_drop_indexes_composites_cover")])
    assert not names() & dropped
