"""Reads for pages and the API. Every one starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from contacts.models import Contact, ContactGroup, ContactImport, Persona, Tag
from crm.models import User

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
