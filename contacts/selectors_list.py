"""Reads for the contact list page: one keyset (cursor) page of rows, and the page's options.

The page used Django's ``Paginator``: page ``n`` sorted every contact the user sees to skip
``25 * (n - 1)`` of them (``OFFSET``), so a lead's last page of the team's 10,000 contacts cost
twice the first and grew with the team. A cursor names the last row shown (its sort value
and id); the next page is the rows after it (``created < …  OR (created = … AND id < …)``,
``LIMIT 26``), which costs the same on page 400 as on page 1, and is stable when rows are
added in between. The cursor also carries the page's number, for "page n of N" only.

Every read starts from the queryset the caller built with ``visible_to(user)``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, F, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL

from contacts.models import Contact, ContactGroup, InteractionKind, Persona, SourceCount, Tag
from contacts.selectors import (
    CONTACT_ORDERINGS,
    THIS_AGENT,
    contact_owners,
    each_agents_rows,
    id_among,
)
from crm.keysets import keyset_after
from crm.models import User
from crm.reads import Statement, read_together
from crm.roles import Role
from crm.scoping import compiled_for_viewer

PAGE_SIZE = 25
# Sort keys whose column may be NULL (a contact never touched). NULL sorts as the oldest
# value, last in a "latest first" list (as the API's cursor does); stated in the ORDER BY,
# so SQLite and PostgreSQL agree and the cursor's "after" matches the order.
NULLABLE = frozenset({"last_interaction_at"})
# Sort columns that are personal data stay out of URLs (access logs, browser history, and an
# erased contact's name must not outlive it there): such a cursor names only the row, and
# the page's query reads the row's value itself (a subquery on the user's own scope).
ANCHORED = frozenset({"name"})
_MAX_PK = 2**63 - 1
OWNER_NAME_FIELDS = ("display_name", "first_name", "last_name", "username")
# The contact columns a list row and its cursors read (``rows.render_rows``, ``_page``): the
# page's rows leave the others (the notes above all) in the table.
ROW_FIELDS = (
    "id",
    "owner_id",
    "name",
    "remark",
    "phone",
    "source",
    "stage",
    "next_follow_up",
    "warmth_ref",
    "last_interaction_at",
    "erased_at",
    "created",
)
_MAX_TEXT = 200


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool

    @classmethod
    def for_sort(cls, sort: str) -> Ordering:
        first = CONTACT_ORDERINGS[sort][0]
        return cls(first.lstrip("-"), first.startswith("-"))

    def terms(self, *, reverse: bool = False) -> list:
        """``order_by()`` terms: this column, then the id, both the same way. Where to put
        NULLs is said only for a column that has them: ``DESC NULLS LAST`` on a column without
        would keep PostgreSQL from reading an ``(owner, -column, -id)`` index in order."""
        descending = self.descending != reverse
        column, pk = F(self.field), F("id")
        if self.field not in NULLABLE:
            return [column.desc(), pk.desc()] if descending else [column.asc(), pk.asc()]
        if descending:
            return [column.desc(nulls_last=True), pk.desc()]
        return [column.asc(nulls_first=True), pk.asc()]

    def sql(self, alias: str, *, reverse: bool = False) -> str:
        """``terms()`` as SQL on the columns of ``alias``, a subquery that carries this column
        and ``id`` under their own names: to put rows read outside the ORM in the same order."""
        descending = self.descending != reverse
        way = "DESC" if descending else "ASC"
        nulls = ""
        if self.field in NULLABLE:
            nulls = " NULLS LAST" if descending else " NULLS FIRST"
        column = Contact._meta.get_field(self.field).column
        return f'{alias}."{column}" {way}{nulls}, {alias}."id" {way}'

    def after(
        self, value: Any, pk: int, *, reverse: bool = False, anchors: QuerySet | None = None
    ) -> Q:
        """Rows that come after ``(value, pk)`` in this order (in the reversed order if
        ``reverse``): a greater or smaller value, or the same value and a later id. For an
        ``ANCHORED`` column the value is row ``pk``'s, read from ``anchors`` (the scoped
        contacts) in the same query; none if the row is gone."""
        descending = self.descending != reverse
        if self.field in ANCHORED:
            value = Subquery(anchors.filter(pk=pk).values(self.field)[:1])
        if value is None:  # only NULLs come here: the smallest values
            later_id = Q(**{"id__lt" if descending else "id__gt": pk})
            later = Q(**{f"{self.field}__isnull": True}) & later_id
            if not descending:
                later |= Q(**{f"{self.field}__isnull": False})
            return later
        terms = (f"-{self.field}", "-id") if descending else (self.field, "id")
        later = keyset_after(terms, (value, pk))
        if descending and self.field in NULLABLE:
            return later | Q(**{f"{self.field}__isnull": True})
        return later


@dataclass(frozen=True)
class Cursor:
    """A position in one ordering: after (or, ``backwards``, before) the row ``(value, pk)``,
    and the number of the page it opens (shown to the user; not used to find rows)."""

    sort: str
    value: Any
    pk: int
    backwards: bool
    page: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, dt.datetime) else self.value
        raw = json.dumps(
            [self.sort, "b" if self.backwards else "a", value, self.pk, self.page],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: str) -> Cursor | None:
        """The cursor in ``token`` if it is one for ``sort``; ``None`` for anything else
        (a tampered, truncated or stale cursor shows the first page, never an error)."""
        if not token or len(token) > 1000:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            key, way, value, pk, page = json.loads(raw.decode())
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            return None
        if key != sort or way not in ("a", "b") or type(pk) is not int or type(page) is not int:
            return None
        if not 0 < pk <= _MAX_PK:
            return None
        value = _column_value(Ordering.for_sort(sort).field, value)
        if value is _INVALID:
            return None
        return cls(sort, value, pk, way == "b", max(1, min(page, 10**9)))


_INVALID = object()


def _column_value(field: str, value: Any) -> Any:
    """``value`` as the column ``field`` holds it, or ``_INVALID``."""
    if value is None:
        return None if field in NULLABLE or field in ANCHORED else _INVALID
    if field == "warmth_ref":
        if type(value) not in (int, float) or not math.isfinite(value):
            return _INVALID
        return float(value)
    if field in ANCHORED:  # the page's query reads the value
        return _INVALID
    if not isinstance(value, str) or len(value) > 40:  # a date-time column
        return _INVALID
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return _INVALID
    return moment if moment.tzinfo is not None else _INVALID


@dataclass
class KeysetPage:
    """One page of rows in display order, with the cursors of its neighbours (``None``
    where there is none)."""

    object_list: list[Contact]
    number: int
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def first_rows(
    rows: QuerySet[Contact],
    n: int,
    *,
    ordering: Ordering,
    reverse: bool = False,
    owners: RawSQL | None = None,
    columns: dict[str, Any] | None = None,
) -> list[Contact]:
    """The first ``n`` of ``rows`` (scoped and filtered by the caller) in ``ordering`` (the
    other way with ``reverse``): their ``ROW_FIELDS``, annotated with ``columns``
    (``row_columns``).

    With ``owners`` (``selectors.contact_owners``: the agents whose contacts ``rows`` holds), on
    PostgreSQL: each agent's first ``n`` ids and sort values are read by a ``LATERAL`` join,
    from the ``(owner, order)`` index where there is one; those are merged, sorted and cut to
    ``n`` in the same subquery, and only the ``n`` rows left are read in full, by primary key.
    The same rows in the same order: the first ``n`` of the whole are among each agent's first
    ``n``. (The plain query sorted the whole team for a lead's first page; reading every
    agent's ``n`` rows in full, with their owner and the scope checked again on each, and
    sorting them after, took PostgreSQL several times as long.)
    """
    try:
        return list(_first_rows_query(rows, n, ordering, reverse, owners, columns or {}))
    except EmptyResultSet:  # a filter that matches nothing
        return []


def _first_rows_query(
    rows: QuerySet[Contact],
    n: int,
    ordering: Ordering,
    reverse: bool,
    owners: RawSQL | None,
    columns: dict[str, Any],
) -> QuerySet[Contact]:
    """``first_rows``'s query (``EmptyResultSet`` when a filter matches nothing)."""
    terms = ordering.terms(reverse=reverse)
    if owners is None or connection.vendor != "postgresql":
        return rows.only(*ROW_FIELDS).annotate(**columns).order_by(*terms)[:n]
    per_agent = (
        rows.filter(owner_id=THIS_AGENT).order_by(*terms).values_list("id", ordering.field)[:n]
    )
    sql, params = each_agents_rows(owners, per_agent, "top.id")
    # The ids come from ``rows`` read for ``owners`` (both scoped), so the read by key repeats
    # neither the scope nor the filters: in this statement they cost more to plan than the
    # rest of it takes to run. ``n`` is written in (a constant of the code), so the statement
    # can be compiled once (``_visible_rows``).
    picked = id_among(
        Contact,
        f"{sql} ORDER BY {ordering.sql('top', reverse=reverse)} LIMIT {int(n)}",
        params,
    )
    rows = Contact.objects.only(*ROW_FIELDS).annotate(**columns).filter(picked)
    return rows.order_by(*terms)


# The row columns in the model's order (``Model.from_db`` takes them so).
_ROW_ATTNAMES = tuple(f.attname for f in Contact._meta.concrete_fields if f.attname in ROW_FIELDS)


def _visible_rows(
    viewer: User, n: int, *, ordering: Ordering, reverse: bool, after: tuple[Any, int] | None
) -> list[Contact]:
    """``first_rows`` of all the viewer's visible contacts (after the row ``after``, a cursor's
    ``(value, pk)``, if given), on PostgreSQL: the same statement, compiled once per kind of
    viewer, ordering and cursor (``crm.scoping.compiled_for_viewer``), its rows made into
    contacts as the ORM makes them. Building and compiling the page's query took a list page
    more of the CPU than the rest of its reads."""
    name = f"contacts.list_rows:{ordering}:{reverse}:{n}:{after is None}"
    values = {} if after is None else {"value": after[0], "pk": after[1]}
    try:
        sql, params = compiled_for_viewer(
            name,
            functools.partial(_visible_rows_sql, n=n, ordering=ordering, reverse=reverse),
            viewer,
            **values,
        )
    except EmptyResultSet:  # sees no contacts
        return []
    (rows,) = read_together([Statement(sql, params)])
    width = len(_ROW_ATTNAMES)
    extra = list(row_columns(user=viewer))
    found = []
    for row in rows:
        contact = Contact.from_db(DEFAULT_DB_ALIAS, _ROW_ATTNAMES, row[:width])
        for column, value in zip(extra, row[width:], strict=True):
            setattr(contact, column, value)
        found.append(contact)
    return found


def _visible_rows_sql(
    user: User, *, n: int, ordering: Ordering, reverse: bool, **after: Any
) -> tuple[str, tuple]:
    visible = visible_contacts(user=user)
    rows = visible
    if after:
        rows = rows.filter(
            ordering.after(after["value"], after["pk"], reverse=reverse, anchors=visible)
        )
    columns = row_columns(user=user)
    query = _first_rows_query(rows, n, ordering, reverse, contact_owners(user=user), columns)
    # The selected columns in a known order: the row's, then the annotations.
    return query.values_list(*_ROW_ATTNAMES, *columns).query.sql_with_params()


def _rows_after(
    queryset: QuerySet[Contact],
    n: int,
    *,
    ordering: Ordering,
    reverse: bool = False,
    after: tuple[Any, int] | None,
    anchors: QuerySet[Contact],
    owners: RawSQL | None,
    columns: dict[str, Any] | None,
    viewer: User | None,
) -> list[Contact]:
    """``first_rows`` of ``queryset`` after the row ``after`` (``(value, pk)``; from the
    start if ``None``); read by ``_visible_rows`` when ``queryset`` is all of ``viewer``'s
    visible contacts."""
    if viewer is not None and connection.vendor == "postgresql":
        return _visible_rows(viewer, n, ordering=ordering, reverse=reverse, after=after)
    if after is not None:
        queryset = queryset.filter(ordering.after(*after, reverse=reverse, anchors=anchors))
    return first_rows(
        queryset, n, ordering=ordering, reverse=reverse, owners=owners, columns=columns
    )


def contact_keyset_page(
    queryset: QuerySet[Contact],
    *,
    sort: str,
    cursor: Cursor | None,
    size: int = PAGE_SIZE,
    anchors: QuerySet[Contact] | None = None,
    owners: RawSQL | None = None,
    columns: dict[str, Any] | None = None,
    viewer: User | None = None,
) -> KeysetPage:
    """The page of ``queryset`` (already scoped and filtered) that ``cursor`` opens, ordered by
    ``CONTACT_ORDERINGS[sort]``; the first page without a cursor. ``anchors``: the scoped
    contacts a cursor's row is looked up in when its value is not in the cursor
    (``ANCHORED``); ``queryset`` if not given. ``owners``: the agents whose contacts the
    queryset holds, when they are several (see ``first_rows``). ``columns``: annotations each
    row gets (``row_columns``). ``viewer``: the user, when ``queryset`` is all their visible
    contacts, unfiltered (``visible_contacts``): its statements are then compiled once. One
    query (two when a link leads past either end, because rows were removed since: the first
    page is shown instead)."""
    ordering = Ordering.for_sort(sort)
    if anchors is None:
        anchors = queryset
    read = functools.partial(
        _rows_after,
        queryset,
        size + 1,
        ordering=ordering,
        anchors=anchors,
        owners=owners,
        columns=columns,
        viewer=viewer,
    )
    if cursor is not None and cursor.backwards:
        rows = read(after=(cursor.value, cursor.pk), reverse=True)
        if len(rows) > size:  # a full page, and more before it
            rows = rows[:size][::-1]
            return _page(ordering, sort, rows, max(2, cursor.page - 1), True, True)
        if len(rows) == size:
            return _page(ordering, sort, rows[::-1], 1, False, True)
        cursor = None  # rows were removed before this point: show the first page in full
    rows = read(after=None if cursor is None else (cursor.value, cursor.pk))
    if cursor is not None and not rows:  # past the end (rows were removed): the first page
        rows = read(after=None)
        cursor = None
    more = len(rows) > size
    number = cursor.page + 1 if cursor is not None else 1
    return _page(ordering, sort, rows[:size], number, cursor is not None, more)


def _page(
    ordering: Ordering, sort: str, rows: list, number: int, previous: bool, following: bool
) -> KeysetPage:
    def at(row: Contact, backwards: bool, page: int) -> str:
        value = None if ordering.field in ANCHORED else getattr(row, ordering.field)
        return Cursor(sort, value, row.pk, backwards, page).encode()

    return KeysetPage(
        object_list=rows,
        number=number,
        next_cursor=at(rows[-1], False, number) if following and rows else None,
        previous_cursor=at(rows[0], True, number) if previous and rows else None,
    )


def row_columns(*, user: User) -> dict[str, F]:
    """What a list row shows beyond the contact's own columns, as annotations:
    ``owner_half_life`` (the owner's team's warmth half-life, NULL without a team) so its warmth
    now needs no query per owner, and, for a viewer who sees other people's contacts (an agent
    sees only their own), the owner's name fields ``owner_<field>`` for each of
    ``OWNER_NAME_FIELDS`` (what ``str(user)`` reads; a whole user per row cost more). Added to
    the page's rows only (``first_rows``): a join to the owner in the reads that pick them
    would be repeated for each agent."""
    columns = {"owner_half_life": F("owner__team__warmth_half_life_days")}
    if user.role != Role.AGENT:
        columns.update({f"owner_{name}": F(f"owner__{name}") for name in OWNER_NAME_FIELDS})
    return columns


def visible_contacts(*, user: User) -> QuerySet[Contact]:
    """The active contacts the user may see, unordered: the base of the list page's reads."""
    return Contact.objects.visible_to(user).active()


Labels = tuple[list[tuple[int, str]], list[tuple[int, str]]]


def contact_labels(contact_ids: list[int]) -> dict[int, Labels]:
    """Each contact's tags and groups as ``(id, name)``, each ordered by name then id as the
    database sorts them, in one query over the two link tables; contacts with neither are
    left out. The list page shows the names; the API's list gives tag names and group ids.

    The ids must come from a scoped read (a page of ``contact_keyset_page``): the links of a
    contact are its owner's tags and groups. Plain SQL: the ORM's union of the same two
    joins cost a page 1 ms of compiling, ten times the query.
    """
    (rows,) = read_together([_labels_statement(contact_ids)])
    return _labels_from_rows(rows)


def _labels_statement(contact_ids: list[int]) -> Statement | None:
    if not contact_ids:
        return None
    if connection.vendor == "postgresql":
        # One array: psycopg keeps a statement's parsed form only up to 50 parameters.
        return Statement(_labels_sql("= ANY(%s)"), (list(contact_ids), list(contact_ids)))
    marks = ", ".join(["%s"] * len(contact_ids))
    return Statement(_labels_sql(f"IN ({marks})"), (*contact_ids, *contact_ids))


def _labels_from_rows(rows: list[tuple]) -> dict[int, Labels]:
    found: dict[int, Labels] = {}
    for slot, contact_id, label, pk in rows:
        found.setdefault(contact_id, ([], []))[slot].append((pk, label))
    return found


def _labels_sql(contact_in: str) -> str:
    # Each name by its primary key, not by a join: for a page's few dozen links PostgreSQL
    # hashed every tag and group in the database (1,600 and 600 at the bench's scale, a
    # number that grows with the agents) to join them: 0.8-1.1 ms a statement, 0.4-0.5 now.
    tags, groups = Contact.tags.through._meta, Contact.groups.through._meta
    return (
        f'SELECT 0, l.contact_id, (SELECT t.name FROM "{Tag._meta.db_table}" t '
        f'WHERE t.id = l.tag_id), l.tag_id FROM "{tags.db_table}" l '
        f"WHERE l.contact_id {contact_in} "
        "UNION ALL "
        f'SELECT 1, l.contact_id, (SELECT g.name FROM "{ContactGroup._meta.db_table}" g '
        f'WHERE g.id = l.contactgroup_id), l.contactgroup_id FROM "{groups.db_table}" l '
        f"WHERE l.contact_id {contact_in} "
        "ORDER BY 1, 3, 4"
    )


@dataclass(frozen=True)
class SourceSummary:
    sources: list[str]  # the distinct non-empty sources, as the database sorts them (100 at most)
    total: int  # every active contact the user sees


def source_summary(*, user: User) -> SourceSummary:
    """The distinct sources among the user's visible active contacts (the source filter's
    options) and how many contacts that is, in one read compiled once per kind of viewer
    (``crm.scoping.compiled_for_viewer``).

    On PostgreSQL the counts are ``SourceCount``'s, which the database keeps as contacts come,
    go and change: a row per agent and source (70 for a bench lead's team of ten) instead
    of counting the team's 10,000 active contacts on every page (an index-only scan of them,
    about 1 ms). Elsewhere (SQLite, the demo) the contacts are counted (``GROUP BY source``)."""
    (rows,) = read_together([_source_summary_statement(user)])
    return _summary_from_rows(rows)


def _source_summary_statement(user: User) -> Statement | None:
    try:
        return Statement(*compiled_for_viewer("contacts.source_summary", _source_summary_sql, user))
    except EmptyResultSet:  # sees no contacts
        return None


def _source_summary_sql(user: User) -> tuple[str, tuple]:
    if connection.vendor == "postgresql":
        # No ``active > 0``: the triggers delete a row as it reaches 0.
        rows = (
            SourceCount.objects.visible_to(user)
            .order_by("source")
            .values_list("source")
            .annotate(n=Sum("active"))
        )
    else:
        rows = (
            visible_contacts(user=user)
            .order_by("source")
            .values_list("source")
            .annotate(n=Count("*"))
        )
    return rows.query.sql_with_params()


def _summary_from_rows(rows: list[tuple]) -> SourceSummary:
    return SourceSummary(
        sources=[source for source, _ in rows if source][:100],
        total=sum(n for _, n in rows),
    )


def list_options(*, user: User) -> dict[str, list[tuple[int, str, int]]]:
    """What the page's controls offer, in one query (``UNION ALL``): ``(id, name, owner id)``
    of the tags, groups and personas (nickname) the user sees, the filters' options, each
    ordered as its model is (tags and groups by name, personas by owner then nickname; then
    id); and ``(id, code, 0)`` of the one-click interaction kinds (not anyone's rows), in
    their admin-set order as ``selectors_warmth.quick_kinds`` reads them. The owner ids let
    the bulk form offer the user's own tags and groups without a second query.

    Each menu's rows are its model's ``visible_to(user)``, compiled by the ORM; the union and
    its order are plain SQL around them: building and compiling the ORM's union of four
    annotated querysets took nearly twice as long as compiling the three scoped queries alone,
    and nine times as long as running the statement (bench lead: 1.8 ms of CPU, against 1.0
    and 0.2 ms). The statement is compiled once per kind of viewer
    (``crm.scoping.compiled_for_viewer``)."""
    (rows,) = read_together([_list_options_statement(user)])
    return _options_from_rows(rows)


_MENUS = ("tags", "groups", "personas", "kinds")


def _list_options_statement(user: User) -> Statement:
    return Statement(*compiled_for_viewer("contacts.list_options", _list_options_sql, user))


def _list_options_sql(user: User) -> tuple[str, list]:
    parts, params = [], []
    for n, (model, first, label) in enumerate(
        ((Tag, "0", "name"), (ContactGroup, "0", "name"), (Persona, "m.owner_id", "nickname"))
    ):
        scoped = model.objects.visible_to(user).order_by().values_list("id", label, "owner_id")
        try:
            sql, part_params = scoped.query.sql_with_params()
        except EmptyResultSet:  # sees none of them
            continue
        parts.append(f'SELECT {n}, {first}, m."{label}", m."id", m."owner_id" FROM ({sql}) m')
        params.extend(part_params)
    parts.append(
        f'SELECT 3, k.position, k.code, k.id, 0 FROM "{InteractionKind._meta.db_table}" k '
        "WHERE k.quick"
    )
    return f"{' UNION ALL '.join(parts)} ORDER BY 1, 2, 3, 4", params


def _options_from_rows(rows: list[tuple]) -> dict[str, list[tuple[int, str, int]]]:
    found: dict[str, list[tuple[int, str, int]]] = {menu: [] for menu in _MENUS}
    for menu, _, label, pk, owner_id in rows:
        found[_MENUS[menu]].append((pk, label, owner_id))
    return found


def list_extras(
    *, user: User, contact_ids: list[int]
) -> tuple[SourceSummary, dict[str, list[tuple[int, str, int]]], dict[int, Labels]]:
    """What the list page shows besides its rows, read together in one round trip
    (``crm.reads.read_together``): ``source_summary``, ``list_options`` and the
    ``contact_labels`` of the page's rows ``contact_ids``."""
    summary, options, labels = read_together(
        [
            _source_summary_statement(user),
            _list_options_statement(user),
            _labels_statement(contact_ids),
        ]
    )
    return _summary_from_rows(summary), _options_from_rows(options), _labels_from_rows(labels)
