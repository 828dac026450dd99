"""Reads for pages and the API. Every one starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from contacts.models import Contact, ContactGroup, ContactImport, Persona, Tag
from crm.models import User

# A contact never touched sorts as touched at this instant: the oldest.
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Orderings offered to users: key -> order_by() terms, each ending in a unique column.
CONTACT_ORDERINGS: dict[str, list[str]] = {
    "-warmth": ["-warmth_ref", "-id"],
    "warmth": ["warmth_ref", "id"],
    "-last_interaction": ["-last_touch", "-id"],  # ``with_last_touch``
    "last_interaction": ["last_touch", "id"],
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


def with_last_touch(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """``contacts`` with ``last_touch``: the last interaction, or ``NEVER`` for a contact never
    touched, so the "latest interaction" order has no NULL for a keyset to step over (a cursor
    page is the rows strictly after the boundary row's values)."""
    return contacts.annotate(last_touch=Coalesce("last_interaction_at", Value(NEVER)))


def contact_hottest(*, user: User, n: int = 50) -> list[Contact]:
    """The ``n`` warmest active contacts the user may see, warmest first (ties: newest
    first)."""
    return list(Contact.objects.visible_to(user).active().hottest(n))


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
