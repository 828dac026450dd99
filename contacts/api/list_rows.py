"""The contacts API list's page read by a statement compiled once per kind of viewer.

The API's ``CursorPagination`` orders the list's queryset (``order_by``), keeps the rows past
the cursor's position (``rows_after``, on every term of the ordering) and slices it. Building that
queryset, compiling it and loading three date-times a row in the driver's Python loader were
most of the list's time. ``ContactListRows`` stands in for the queryset: it notes the calls
the paginator makes and, when sliced, reads the page with the same statement compiled once per
kind of viewer, ordering and cursor (``crm.scoping.compiled_for_viewer``), and the page's
date-times as whole microseconds since 1970, as ``scheduler.selectors.EpochMicroseconds``
reads them (an integer loads in C), made into the same text here.

It does so only for the calls it knows to give the same rows: one of ``ORDERINGS`` and a
position the ORM would read as the same values (``_position_value``), on PostgreSQL. Any other
call goes to the ORM's queryset as it would have without the stand-in.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.api.serializers import LIST_COLUMNS, _membership_arrays, contact_list_data
from contacts.models import Contact
from contacts.phones import mask_phone
from contacts.selectors import THIS_AGENT, contact_owners, each_agents_rows, id_among
from crm.keysets import keyset_after
from crm.reads import Statement, read_together
from crm.scoping import compiled_for_viewer

# Cursor pagination cannot page across NULLs; contacts never touched sort as of 1970.
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH = NEVER
_NEVER_US = 0  # NEVER in microseconds since 1970

# The orderings read by a compiled statement: each of the API's ``?ordering=`` terms with
# the id after it the same way (``TieBreakOrderingFilter``), the id alone, and the reverse of
# each (what the paginator orders by for a cursor going back).
ORDERINGS = frozenset(
    {
        ordering
        for field in ("warmth_ref", "last_touch", "name", "created")
        for ordering in ((field, "id"), (f"-{field}", "-id"))
    }
    | {("id",), ("-id",)}
)
# The model field whose ``get_prep_value`` the ORM reads a cursor's position with.
_POSITION_FIELDS = {
    "warmth_ref": "warmth_ref",
    "last_touch": "last_interaction_at",  # ``Coalesce``'s output field is that column's
    "name": "name",
    "created": "created",
    "id": "id",
}
_EPOCH_COLUMNS = ("last_interaction_at", "created", "updated")
# What the statement reads of a contact: the serializer's columns in its order but the
# date-times, which come after them as whole microseconds since 1970 (``_EPOCH_COLUMNS``),
# then the tag names and group ids.
_COLUMNS = tuple(column for column in LIST_COLUMNS if column not in _EPOCH_COLUMNS)


def with_last_touch(contacts: QuerySet[Contact], never: dt.datetime = NEVER) -> QuerySet[Contact]:
    """``contacts`` with ``last_touch`` (the last interaction, ``never`` if none), which an
    ordering may name."""
    return contacts.annotate(last_touch=Coalesce("last_interaction_at", Value(never)))


def list_queryset(user, *, never: dt.datetime = NEVER) -> QuerySet[Contact]:
    """The API list's queryset: the user's visible active contacts ``with_last_touch``."""
    return with_last_touch(Contact.objects.visible_to(user).active(), never)


class PageRow:
    """A row of a compiled page: its JSON object (``data``) and its values of the page's
    ordering under the terms' names, which the paginator reads for its cursors."""

    __slots__ = ("created", "data", "id", "last_touch", "name", "warmth_ref")


def page_data(page: list) -> list[dict]:
    """The JSON objects of a page of ``ContactListRows``: as ``contact_list_data`` makes them
    from the ORM's rows, whichever way the page was read."""
    if page and isinstance(page[0], PageRow):
        return [row.data for row in page]
    return contact_list_data(page)


class ContactListRows:
    """Stands in for ``orm_rows()`` (the list's ``contact_list_values`` queryset) before
    ``CursorPagination``: ``order_by`` and ``filter`` are noted, and slicing reads the page, by
    ``viewer``'s compiled statement when the calls are ones it knows (see the module), else by
    making the same calls on ``orm_rows()``. Rows come as ``PageRow`` or as the ORM's dicts;
    ``page_data`` makes either into the list's JSON objects."""

    def __init__(
        self, viewer, orm_rows: Callable[[], QuerySet], calls: tuple[tuple, ...] = ()
    ) -> None:
        self.viewer = viewer
        self.orm_rows = orm_rows
        self.calls = calls

    def order_by(self, *terms: str) -> ContactListRows:
        return ContactListRows(self.viewer, self.orm_rows, (*self.calls, ("order_by", terms)))

    def rows_after(self, ordering: tuple[str, ...], position: list[str]) -> ContactListRows:
        """The rows after ``position`` in ``ordering`` (``crm.keysets.keyset_after``)."""
        call = ("rows_after", tuple(ordering), tuple(position))
        return ContactListRows(self.viewer, self.orm_rows, (*self.calls, call))

    def _orm(self) -> QuerySet:
        rows = self.orm_rows()
        for method, *args in self.calls:
            if method == "order_by":
                rows = rows.order_by(*args[0])
            else:
                rows = rows.filter(keyset_after(*args))
        return rows

    def __iter__(self) -> Iterator:
        return iter(self._orm())

    def __getitem__(self, key):
        read = self._compiled_read(key)
        if read is None:
            return self._orm()[key]
        return read()

    def _compiled_read(self, key) -> Callable[[], list[PageRow]] | None:
        """The compiled read of ``self[key]``, if the calls and ``key`` are ones it knows."""
        if connection.vendor != "postgresql":
            return None
        if not (
            isinstance(key, slice)
            and type(key.start) is int
            and type(key.stop) is int
            and key.step is None
            and 0 <= key.start < key.stop
        ):
            return None
        if not self.calls or self.calls[0][0] != "order_by" or len(self.calls) > 2:
            return None
        _, terms = self.calls[0]
        if terms not in ORDERINGS:
            return None
        first = terms[0].lstrip("-")
        # The slice as values of their own: the ORM would write them into the statement.
        values: dict[str, Any] = {
            "never": NEVER,
            "limit": key.stop - key.start,
            "offset": key.start,
            "first": key.stop,
        }
        after = len(self.calls) == 2
        if after:
            _, ordering, texts = self.calls[1]
            if ordering != terms:
                return None
            # The first term's value, and the id's after it when the first is not the id.
            keys = ("position", "after_id")[: len(terms)]
            for key, term, text in zip(keys, terms, texts, strict=True):
                value = _position_value(term.lstrip("-"), text)
                if value is None:
                    return None
                values[key] = value
        name = f"contacts.api.list:{','.join(terms)}:{'after' if after else 'first'}"
        build = functools.partial(_page_sql, terms=terms, after=after)
        return functools.partial(_read_page, name, build, self.viewer, values, first)


def _position_value(field_name: str, text: Any) -> int | float | str | dt.datetime | None:
    """The value the ORM filters on for a cursor position ``text`` (the field's
    ``get_prep_value``), if it is one whose filter keeps the statement's shape and whose text
    is its own (``str(value) == text``, as the paginator writes it); else ``None``."""
    if not isinstance(text, str):
        return None
    field = Contact._meta.get_field(_POSITION_FIELDS[field_name])
    if field.get_internal_type() == "DateTimeField":
        # ``to_python`` reads a text with ``parse_datetime`` first; only an aware one is
        # filtered on as it is (a naive one is made aware, with a warning).
        try:
            value = parse_datetime(text)
        except ValueError:
            return None
        if value is None or value.tzinfo is None:
            return None
    else:
        try:
            value = field.get_prep_value(text)
        except (TypeError, ValueError):
            return None
        if type(value) is int:
            # Out of the column's range, the ORM drops the filter or the rows (a statement
            # of another shape).
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            if not low <= value <= high:
                return None
        elif type(value) not in (float, str):
            return None
    return value if str(value) == text else None


def _page_sql(user, *, terms: tuple[str, ...], after: bool, **values: Any) -> tuple[str, tuple]:
    """The page's statement: the ORM's (ordered, past the position, sliced), its rows then
    put in the same order again with their date-times as microseconds. Outside the ORM's
    statement so that only the page's rows are converted: inside, PostgreSQL converted every
    row it sorted (a lead's team: 10,000) before keeping 51. The order is the ORM's own, since
    every ordering ends in the id."""
    rows = list_queryset(user, never=values["never"]).order_by(*terms)
    if after:
        rows = rows.filter(keyset_after(terms, _position(values)))
    owners = contact_owners(user=user)
    if owners is not None and terms[0].lstrip("-") in _PER_AGENT:
        rows = rows.filter(_each_agents_first(owners, terms, after, values))
    arrays = _membership_arrays()
    ordered_by = [term.lstrip("-") for term in terms]
    read = [*_COLUMNS, *_EPOCH_COLUMNS]
    sql, params = (
        rows.annotate(**arrays)
        .values_list(*read, *(name for name in ordered_by if name not in read), *arrays)
        .query.sql_with_params()
    )
    columns = [f'page."{_column(name)}"' for name in _COLUMNS]
    columns += [
        f'(EXTRACT(EPOCH FROM page."{_column(name)}") * 1000000)::bigint' for name in _EPOCH_COLUMNS
    ]
    columns += [f'page."{name}"' for name in arrays]
    order = ", ".join(
        f'page."{_column(term.lstrip("-"))}" {"DESC" if term.startswith("-") else "ASC"}'
        for term in terms
    )
    return (
        f"SELECT {', '.join(columns)} FROM ({sql} LIMIT %s OFFSET %s) page ORDER BY {order}",
        (*params, values["limit"], values["offset"]),
    )


# Orderings an ``(owner, column, ...)`` index gives each agent's rows in (``(owner, name)``
# orders by name; PostgreSQL sorts each run of one name by id, incrementally). ``last_touch``
# is not among them: no index holds ``COALESCE(last_interaction_at, 1970)``.
_PER_AGENT = frozenset({"created", "warmth_ref", "name"})


def _position(values: dict[str, Any]) -> tuple:
    """The cursor's position among a statement's ``values``: the first term's, then the id's
    when the ordering has two terms."""
    if "after_id" in values:
        return (values["position"], values["after_id"])
    return (values["position"],)


def _each_agents_first(owners: RawSQL, terms: tuple[str, ...], after: bool, values) -> RawSQL:
    """The ids of each agent's first ``offset + limit`` rows (past the position), read from
    the agent's index (``selectors.each_agents_rows``): the page, the ``offset + limit``
    first of all the agents' rows, is among them. A lead's list otherwise read and sorted all
    the team's contacts (10,000 on the bench) for every page."""
    per_agent = (
        Contact.objects.active().filter(owner_id=THIS_AGENT).order_by(*terms).values_list("id")
    )
    if after:
        per_agent = per_agent.filter(keyset_after(terms, _position(values)))
    sql, params = each_agents_rows(owners, per_agent, "top.id")
    # The agent's read is the last ``LATERAL`` subquery: its ``LIMIT`` closes it.
    sql = f"{sql[: -len(') AS top')]} LIMIT %s) AS top"
    return id_among(Contact, sql, (*params, values["first"]))


def _column(name: str) -> str:
    """The column ``name`` (a field or an annotation) has in the ORM's statement."""
    if name == "last_touch":
        return name
    return Contact._meta.get_field(name).column


def _read_page(
    name: str,
    build: Callable[..., tuple[str, tuple]],
    viewer,
    values: dict[str, Any],
    position_field: str,
) -> list[PageRow]:
    try:
        sql, params = compiled_for_viewer(name, build, viewer, **values)
    except EmptyResultSet:  # sees no contacts
        return []
    (rows,) = read_together([Statement(sql, params)])
    return _page_rows(rows, position_field, timezone.get_current_timezone())


def _page_rows(rows: list[tuple], position_field: str, tz: dt.tzinfo) -> list[PageRow]:
    """``PageRow``s of the statement's rows: each one's data as ``contact_list_data`` makes it
    from the ORM's row (a test holds the two equal), and its values of ``position_field`` and
    the id as the ORM's row has them (a date-time in UTC)."""
    found = []
    timedelta = dt.timedelta
    for (
        pk,
        owner_id,
        persona_id,
        name,
        remark,
        wechat_id,
        phone,
        source,
        city,
        stage,
        notes,
        next_follow_up,
        marketing_consent,
        warmth_ref,
        last_interaction_us,
        created_us,
        updated_us,
        tag_names,
        group_ids,
    ) in rows:
        row = PageRow()
        row.data = {
            "id": pk,
            "owner": owner_id,
            "persona": persona_id,
            "name": name,
            "remark": remark,
            "wechat_id": wechat_id,
            "phone_masked": mask_phone(phone),
            "source": source,
            "city": city,
            "stage": stage,
            "tags": tag_names,
            "groups": group_ids,
            "notes": notes,
            "next_follow_up": next_follow_up.isoformat() if next_follow_up else None,
            "marketing_consent": bool(marketing_consent),
            "last_interaction_at": _local_text(last_interaction_us, tz),
            "created": _local_text(created_us, tz),
            "updated": _local_text(updated_us, tz),
        }
        row.id = pk
        if position_field == "created":
            row.created = _EPOCH + timedelta(microseconds=created_us)
        elif position_field == "last_touch":
            if last_interaction_us is None:
                last_interaction_us = _NEVER_US
            row.last_touch = _EPOCH + timedelta(microseconds=last_interaction_us)
        elif position_field == "name":
            row.name = name
        elif position_field == "warmth_ref":
            row.warmth_ref = warmth_ref
        found.append(row)
    return found


def _local_text(microseconds: int | None, tz: dt.tzinfo) -> str | None:
    """``serializers._datetime`` of the date-time ``microseconds`` after 1970 UTC: ISO 8601 in
    ``tz``, UTC as ``Z``. Whole microseconds added to the epoch: exact for any date-time."""
    if microseconds is None:
        return None
    text = (_EPOCH + dt.timedelta(microseconds=microseconds)).astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
