"""Reads for pages and the API. Every one starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from contacts.models import Contact, ContactGroup, ContactImport, Persona, Tag
from crm.models import User
from crm.roles import Role
from crm.scoping import sees_everything, team_and_self

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
    ``(owner, -warmth_ref, -id)`` index (a ``LATERAL`` join), then merged, ordered and sliced.
    The plain query cannot use that index for a team lead: ``visible_to``'s "own or my team's"
    is an OR across the team join, so PostgreSQL reads every contact of the team to sort them.

    Visibility is decided per owning agent (``crm.scoping``: every rule is about the row's
    agent), so an agent with one contact the user sees has all of theirs seen; the agents are
    read from the users table (``_contact_owner_ids``), not found through their contacts.
    Both inner queries are built by the ORM (``visible_to``, ``active``, ``hottest``), so the
    rules stay in one place. An earlier ``UNION ALL`` of one ORM query per agent took 0.3 ms in
    PostgreSQL but 8-20 ms in Python to compile, for a team of 10-20. Everyone's view (an
    administrator's) and databases without ``LATERAL`` (SQLite, the demo) use the plain query.
    """
    visible = Contact.objects.visible_to(user).active()
    if sees_everything(user) or connection.vendor != "postgresql":
        return list(visible.hottest(n))
    owners = _contact_owner_ids(user)
    if not isinstance(owners, QuerySet):  # an agent (``visible`` is one index scan) or no one
        return list(visible.hottest(n)) if owners else []
    owner_sql, owner_params = owners.query.sql_with_params()
    # Each owner id came through the scoping rules; filtering on it alone (no OR) is what
    # lets the planner read n index entries per agent instead of sorting all their contacts.
    per_owner = Contact.objects.active().filter(owner_id=RawSQL("owner.id", ())).hottest(n)
    top_sql, top_params = per_owner.query.sql_with_params()
    return list(
        Contact.objects.raw(
            f"SELECT top.* FROM ({owner_sql}) AS owner(id) CROSS JOIN LATERAL ({top_sql}) AS top "
            # ``hottest``'s order, applied to the merged rows.
            "ORDER BY top.warmth_ref DESC, top.id DESC LIMIT %s",
            (*owner_params, *top_params, n),
        )
    )


def contact_owners(*, user: User) -> QuerySet[User] | None:
    """A ``values("pk")`` query of the agents whose contacts the user sees, when they may be
    several (a lead's team); ``None`` when they are one or none, or for everyone's view."""
    if sees_everything(user):
        return None
    owners = _contact_owner_ids(user)
    return owners if isinstance(owners, QuerySet) else None


def _contact_owner_ids(user: User) -> QuerySet[User] | list[int]:
    """The users whose contacts ``Contact.objects.visible_to(user)`` shows (not for an
    administrator), from the users table alone: a list of ids, or a ``values("pk")`` query.

    The owner rules of ``crm.scoping.OwnedQuerySet`` restated on users: an agent owns what they
    see; a lead sees their own and their team's, the same ``team_and_self`` set, so a
    deactivated member's contacts stay in as they do in ``visible_to``; anyone else sees none.
    Asking which users own a visible contact (an EXISTS over the contacts) gave the same ids
    at the cost of a probe into the contacts per user.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.role == Role.AGENT:
        return [user.pk]
    if user.role == Role.LEAD:
        return (
            User.objects.visible_to(user).filter(pk__in=team_and_self(user)).order_by().values("pk")
        )
    return []


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


def source_choices(*, user: User) -> list[str]:
    """The distinct sources among the user's visible contacts, for a filter's options."""
    return list(
        Contact.objects.visible_to(user)
        .active()
        .exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()[:100]
    )
