"""Several reads of one page in one round trip to the database.

A page that reads a few small things (a home's panels, a list's menus and counts) waits for
PostgreSQL once per statement; on this machine a round trip costs about 0.1 ms idle and more
under load, when each wait gives up the CPU to the server and takes it back. Reads that do
not depend on each other go together: ``read_together`` sends them in one ``execute`` and
gives back each one's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, QuerySet


class Statement(NamedTuple):
    """A read written as SQL: its rows come back as the driver gives them, or, with
    ``columns`` (a model field per column, ``None`` for one left as is), each value converted
    as the ORM converts that field's column (dates on SQLite, JSON, booleans)."""

    sql: str
    params: tuple = ()
    columns: tuple[Field | None, ...] = ()


def read_together(reads: Sequence[QuerySet | Statement | None]) -> list[list[tuple]]:
    """The rows of each read, in order: for a ``values_list`` queryset as iterating it would
    give them (the ORM builds the statement and converts each value), for a ``Statement`` as
    fetched, for ``None`` none. On PostgreSQL the statements go to the server together, in one
    round trip (client-side binding runs several statements in one ``execute``); building and
    iterating each query on its own took longer than running it."""
    # The connection itself, not the ``django.db.connection`` proxy: the compilers look it up
    # hundreds of times a page, and each look-up through the proxy is a thread-local read.
    db = connections[DEFAULT_DB_ALIAS]
    compiled = []
    for read in reads:
        if read is None:
            compiled.append((None, None, ()))
        elif isinstance(read, Statement):
            compiled.append((read.columns, read.sql, read.params))
        else:
            compiler = read.query.get_compiler(connection=db)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # the user sees none of these rows
                compiled.append((None, None, ()))
            else:
                compiled.append((compiler, sql, params))
    statements = [(sql, params) for _, sql, params in compiled if sql is not None]
    results: list[list[tuple]] = []
    # Server-side binding (an OPTIONS choice) takes one statement per ``execute``.
    together = db.vendor == "postgresql" and not db.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )
    with db.cursor() as cursor:
        if together and len(statements) > 1:
            cursor.execute(
                ";\n".join(sql for sql, _ in statements),
                [param for _, params in statements for param in params],
            )
            results.append(cursor.fetchall())
            while cursor.nextset():
                results.append(cursor.fetchall())
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
    found = iter(results)
    out = []
    for compiler, sql, _ in compiled:
        if sql is None:
            out.append([])
            continue
        rows = next(found)
        if isinstance(compiler, tuple):  # a statement's: its columns to convert, if any
            out.append(_converted(rows, compiler, db) if compiler else rows)
            continue
        if compiler.has_extra_select:  # ordering columns the ORM added after the values
            rows = [row[: compiler.col_count] for row in rows]
        out.append(list(compiler.results_iter([rows], tuple_expected=True)))
    return out


def _converted(rows: list[tuple], columns: tuple[Field | None, ...], db) -> list[tuple]:
    """``rows`` with each column converted as the ORM converts its field's (the backend's
    converters, then the field's ``from_db_value``, as ``SQLCompiler.get_converters``)."""
    converters = []
    for position, field in enumerate(columns):
        if field is None:
            continue
        col = field.get_col(field.model._meta.db_table)
        found = db.ops.get_db_converters(col) + col.get_db_converters(db)
        if found:
            converters.append((position, found, col))
    if not converters:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for position, found, col in converters:
            value = row[position]
            for convert in found:
                value = convert(value, col, db)
            row[position] = value
        out.append(tuple(row))
    return out
