"""Reads for the contact list page: one cursor page of rows, and the page's menus.

Every read is a queryset from ``Contact.objects.visible_to(user)`` (or the menu model's
``visible_to``). The page is paged by the API's pager (``crm.api.pagination``), a keyset:
the next page is the rows after the boundary row's value of every ordering term, so page 400
costs what page 1 does and pages stay stable when rows are added. A page reads its rows, their
tags and groups (two prefetches), the sources, the tag, group and persona menus and the
one-click kinds: a constant number of queries whatever the page or its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from contacts.models import Contact, ContactGroup, Persona, Tag
from contacts.selectors import CONTACT_ORDERINGS, with_last_touch
from contacts.warmth import selectors as selectors_warmth
from crm.api.pagination import CursorPagination
from crm.models import User

PAGE_SIZE = 25
# Sort columns that are personal data stay out of URLs (access logs, browser history, and an
# erased contact's name must not outlive it there): such a cursor names only the row, whose
# value is read among the user's own contacts. The API's cursors keep them out the same way.
ANCHORED = frozenset({"name"})


def visible_contacts(*, user: User) -> QuerySet[Contact]:
    """The active contacts the user may see, with ``last_touch`` (an ordering may name it):
    the base of the list's reads."""
    return with_last_touch(Contact.objects.visible_to(user).active())


def list_rows(contacts: QuerySet[Contact], *, now: dt.datetime) -> QuerySet[Contact]:
    """``contacts`` with what a list row shows: the owner (a lead's rows name their agent),
    the warmth now and its tier (``with_tier``: each owner's team half-life, in SQL), and the
    tags and groups by name (two queries for a page, whatever its size)."""
    return (
        contacts.select_related("owner")
        .with_tier(now)
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name", "id").only("id", "name")),
            Prefetch(
                "groups", queryset=ContactGroup.objects.order_by("name", "id").only("id", "name")
            ),
        )
    )


@dataclass
class ContactPage:
    """One page of rows in display order, and the query strings (``?...``) of the pages
    before and after it (``None`` where there is none)."""

    object_list: list[Contact]
    next_url: str | None
    previous_url: str | None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def contact_page(
    request: HttpRequest,
    contacts: QuerySet[Contact],
    *,
    sort: str,
    anchors: QuerySet[Contact],
    size: int = PAGE_SIZE,
) -> ContactPage:
    """The page of ``contacts`` (scoped, filtered, ``list_rows``) that the request's
    ``cursor`` opens, in ``CONTACT_ORDERINGS[sort]``, by the API's pager; ``anchors``: the
    user's visible contacts, where a name cursor's row is looked up. A cursor the pager
    refuses (tampered, truncated), or one past either end (its rows were removed since),
    shows the first page."""
    pager = CursorPagination()
    pager.page_size = size
    api_request = Request(request)

    def read(*, first: bool = False) -> list[Contact]:
        return pager.paginate_ordered(
            contacts,
            api_request,
            ordering=CONTACT_ORDERINGS[sort],
            anchored=ANCHORED,
            anchors=anchors,
            first=first,
        )

    try:
        rows = read()
    except NotFound:  # a cursor its columns cannot hold
        rows = read(first=True)
    else:
        cursor = pager.cursor
        if cursor is not None and (not rows or (cursor.reverse and len(rows) < size)):
            # Past the end, or back past rows removed since: the first page, in full.
            rows = read(first=True)
    return ContactPage(
        object_list=rows,
        next_url=_query(pager.get_next_link()),
        previous_url=_query(pager.get_previous_link()),
    )


def _query(link: str | None) -> str | None:
    """The pager's absolute link as the page writes it: its query string alone."""
    if link is None:
        return None
    return f"?{urlsplit(link).query}"


@dataclass(frozen=True)
class SourceSummary:
    sources: list[str]  # the distinct non-empty sources, as the database sorts them (100 at most)
    total: int  # every active contact the user sees


def source_counts(*, user: User) -> QuerySet:
    """``(source, n)`` of the user's visible active contacts, by source: per agent an
    index-only read of the partial index ``contact_owner_source_active``."""
    return (
        Contact.objects.visible_to(user)
        .active()
        .order_by("source")
        .values_list("source")
        .annotate(n=Count("id"))
    )


def source_summary(*, user: User) -> SourceSummary:
    """The distinct sources among the user's visible active contacts (the source filter's
    options) and how many contacts that is, in one query (``source_counts``)."""
    rows = list(source_counts(user=user))
    return SourceSummary(
        sources=[source for source, _ in rows if source][:100],
        total=sum(n for _, n in rows),
    )


@dataclass(frozen=True)
class ListOptions:
    """What the page's menus offer: the tags, groups and personas the user sees (filters),
    and the one-click interaction kinds (the row's buttons)."""

    tags: list[Tag]
    groups: list[ContactGroup]
    personas: list[Persona]
    kinds: list

    def own(self, rows: list, user: User) -> list:
        """The user's own rows among ``rows``: the bulk form offers only those."""
        return [row for row in rows if row.owner_id == user.pk]


def list_options(*, user: User) -> ListOptions:
    """The menus' rows, one query each, each in its model's order (tags and groups by name,
    personas by owner then nickname; then id), and the quick kinds in their admin-set order
    (``selectors_warmth.quick_kinds``)."""
    return ListOptions(
        tags=list(Tag.objects.visible_to(user).order_by("name", "id").only("id", "name", "owner")),
        groups=list(
            ContactGroup.objects.visible_to(user).order_by("name", "id").only("id", "name", "owner")
        ),
        personas=list(
            Persona.objects.visible_to(user)
            .order_by("owner_id", "nickname", "id")
            .only("id", "nickname", "owner")
        ),
        kinds=selectors_warmth.quick_kinds(),
    )
