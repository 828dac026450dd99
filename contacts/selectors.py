"""Reads for pages and the API. Every one starts from ``visible_to(user)``."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import BooleanField, Count, Model, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from contacts.models import Contact, ContactGroup, ContactImport, Persona, Tag
from crm.models import User
from crm.roles import Role
from crm.scoping import sees_everything, team_and_self_sql

# Orderings offered to users: key -> order_by() terms, each ending in a unique column.
CONTACT_ORDERINGS: dict[str, list[str]] = {
    "-warmth": ["-warmth_ref", "-id"],
    "warmth": ["warmth_ref", "id"],
    "-last_interaction": ["-last_interaction_at", "-id"],
    "last_interaction": ["last_interaction_at", "id"],
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "-created": ["-created", "-id"],
    "created": ["created", "id"],
}


def contact_list(*, user: User) -> QuerySet[Contact]:
    """Contacts the user may see (not erased), with what a list row shows, in a fixed number
    of queries whatever the page size (tags and groups are prefetched)."""
    return (
        Contact.objects.visible_to(user)
        .active()
        .select_related("persona", "owner")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("groups", queryset=ContactGroup.objects.order_by("name")),
        )
    )


def contact_hottest(*, user: User, n: int = 50) -> list[Contact]:
    """The ``n`` warmest active contacts the user may see, warmest first (ties: newest first).

    The same rows, in the same order, as ``Contact.objects.visible_to(user).active()
    .hottest(n)``, in one statement whose cost does not grow with the number of contacts: for
    each agent whose contacts the user sees, that agent's top ``n`` read from the
    ``(owner, -warmth_ref, -id)`` index (``each_agents_rows``), then merged, ordered and sliced.
    The plain query cannot use that index for a team lead: ``visible_to``'s "own or my team's"
    is an OR across the team join, so PostgreSQL reads every contact of the team to sort them.
    An earlier ``UNION ALL`` of one ORM query per agent cost more to compile than to run.
    One agent's own, everyone's view (an administrator's) and databases without ``LATERAL``
    (SQLite, the demo) use the plain query.
    """
    visible = Contact.objects.visible_to(user).active()
    owners = contact_owners(user=user)
    if owners is None or connection.vendor != "postgresql":
        return list(visible.hottest(n))
    per_agent = Contact.objects.active().filter(owner_id=THIS_AGENT).hottest(n)
    sql, params = each_agents_rows(owners, per_agent, "top.*")
    return list(
        Contact.objects.raw(
            # ``hottest``'s order, applied to the merged rows.
            f"{sql} ORDER BY top.warmth_ref DESC, top.id DESC LIMIT %s",
            (*params, n),
        )
    )


def contact_owners(*, user: User) -> RawSQL | None:
    """A query of the ids of the agents whose contacts ``Contact.objects.visible_to(user)``
    shows, when they may be several (a lead: their own and their team's); ``None`` for one
    agent's own, for no one, and for everyone's view.

    For a lead it is ``crm.scoping.team_and_self`` (as ``team_and_self_sql``, compiled once),
    the very set ``visible_to`` filters the owners on (so a deactivated member's contacts stay
    in as they do there): visibility is decided per owning agent, so the agents need not be
    found through their contacts (an EXISTS over the contacts gave the same ids at the cost of
    a probe per user).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role != Role.LEAD or sees_everything(user):
        return None
    return team_and_self_sql(user)


# In a query given to ``each_agents_rows``: the agent the ``LATERAL`` join is reading for.
THIS_AGENT = RawSQL("owner.id", ())


def each_agents_rows(
    owners: RawSQL, per_agent: QuerySet[Contact], columns: str
) -> tuple[str, tuple]:
    """SQL selecting ``columns`` of ``top`` from ``per_agent`` (filtered on
    ``owner_id=THIS_AGENT``, ordered and sliced) read once for each agent of ``owners`` by a
    ``LATERAL`` join, with its parameters. Filtering each read on its agent alone (no OR) is
    what lets PostgreSQL read n entries of an ``(owner, ...)`` index per agent instead of
    sorting all the team's contacts. ``owners`` is ``contact_owners``'s; both queries are the
    ORM's, so the scoping and ordering rules stay in one place."""
    owner_sql, owner_params = owners.sql, owners.params
    top_sql, top_params = per_agent.query.sql_with_params()
    sql = f"SELECT {columns} FROM ({owner_sql}) AS owner(id) CROSS JOIN LATERAL ({top_sql}) AS top"
    return sql, (*owner_params, *top_params)


def id_among(model: type[Model], sql: str, params: Sequence) -> RawSQL:
    """The condition that a row of ``model`` is one of the ids ``sql`` selects (the ids of
    ``each_agents_rows``, ordered or limited as the caller writes them in).

    ``= ANY(ARRAY(...))``, not ``IN (...)``: PostgreSQL then computes the ids first, as one
    array, and reads the rows by primary key; with ``IN`` it joined the few ids to all the
    team's rows."""
    return RawSQL(
        f'"{model._meta.db_table}"."id" = ANY(ARRAY({sql}))', tuple(params), BooleanField()
    )


class EachAgentsFirst:
    """Stands in for a lead's queryset of an owned model (one with an ``owner`` column and an
    ``(owner, ...)`` index for its ordering) where a paginator orders, filters and slices it.

    Sliced ``[start:stop]``, it reads the ``stop`` first rows of each agent of ``owners`` under
    the same filters and ordering (``each_agents_rows``: n entries of each agent's index), then
    the slice of those. Every row of the slice is among its own agent's ``stop`` first, so the
    rows are the plain query's. The plain query sorted every row of the team. Anything else
    (counting, iterating, attributes) goes to the queryset itself.
    """

    def __init__(self, queryset: QuerySet, owners: RawSQL) -> None:
        self.queryset, self.owners = queryset, owners

    def order_by(self, *fields: str) -> EachAgentsFirst:
        return EachAgentsFirst(self.queryset.order_by(*fields), self.owners)

    def filter(self, *args, **kwargs) -> EachAgentsFirst:
        return EachAgentsFirst(self.queryset.filter(*args, **kwargs), self.owners)

    def __getitem__(self, key: int | slice):
        if not isinstance(key, slice) or key.stop is None or key.step is not None:
            return self.queryset[key]
        per_agent = self.queryset.filter(owner=THIS_AGENT).values_list("id")[: key.stop]
        sql, params = each_agents_rows(self.owners, per_agent, "top.id")
        return self.queryset.filter(id_among(self.queryset.model, sql, params))[key]

    def __getattr__(self, name: str):
        return getattr(self.queryset, name)


def contact_detail(*, user: User) -> QuerySet[Contact]:
    """Contacts the user may open (erased ones included, so an erasure can be seen)."""
    return (
        Contact.objects.visible_to(user)
        .select_related("persona", "owner")
        .prefetch_related("tags", "groups")
    )


def group_list(*, user: User) -> QuerySet[ContactGroup]:
    """Groups the user may see, each with ``member_count`` of its active contacts."""
    return (
        ContactGroup.objects.visible_to(user)
        .select_related("owner")
        .annotate(
            member_count=Count(
                "contacts", filter=Q(contacts__erased_at__isnull=True), distinct=True
            )
        )
    )


def tag_list(*, user: User) -> QuerySet[Tag]:
    return (
        Tag.objects.visible_to(user)
        .select_related("owner")
        .annotate(
            contact_count=Count(
                "contacts", filter=Q(contacts__erased_at__isnull=True), distinct=True
            )
        )
    )


def persona_list(*, user: User) -> QuerySet[Persona]:
    return Persona.objects.visible_to(user).select_related("owner")


def import_list(*, user: User) -> QuerySet[ContactImport]:
    return ContactImport.objects.visible_to(user).select_related("owner")
