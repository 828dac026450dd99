"""The few database-specific pieces of the project, in one place.

Everything else reads and writes through the ORM, the same on SQLite (the demo, the default
test run) and PostgreSQL (production, CI). What is here differs by database on purpose, and
each piece says why.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import OrderBy

BATCH_SIZE = 1000
SMALL_BATCH_SIZE = 100


def bulk_set(model: type[models.Model], rows: list[models.Model], fields: list[str]) -> None:
    """Write ``fields`` of many rows of ``model`` at once.

    On PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per 1,000 rows; Django's
    ``bulk_update`` builds a CASE WHEN per column and row, which costs seconds of Python per
    thousand rows. Other databases (the SQLite demo) use ``bulk_update`` in small batches.
    """
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, fields, batch_size=SMALL_BATCH_SIZE)
        return
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    pk_field = meta.pk
    quote = connection.ops.quote_name
    placeholders = ", ".join(
        f"%s::{field.db_type(connection)}" for field in [pk_field, *model_fields]
    )
    columns = ", ".join(quote(field.column) for field in [pk_field, *model_fields])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            params: list = []
            for row in chunk:
                params.append(row.pk)
                for field in model_fields:
                    value = getattr(row, field.attname)
                    params.append(field.get_db_prep_save(value, connection))
            values = ", ".join([f"({placeholders})"] * len(chunk))
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS c SET {assignments} "
                f"FROM (VALUES {values}) AS v({columns}) "
                f"WHERE c.{quote(pk_field.column)} = v.{quote(pk_field.column)}",
                params,
            )


class NullsLastIndex(models.Index):
    """An index with ``DESC NULLS LAST`` columns, which SQLite does not take in an index: there
    they are plain ``DESC`` (the same order: SQLite's NULL is the smallest value), so the demo's
    database and its table rebuilds get the index too."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(
            *(_without_nulls_last(expression) for expression in self.expressions), name=self.name
        )
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


def _without_nulls_last(expression):
    if isinstance(expression, OrderBy) and expression.descending and expression.nulls_last:
        return OrderBy(expression.expression, descending=True)
    return expression
