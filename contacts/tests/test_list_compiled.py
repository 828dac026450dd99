"""An unfiltered list page's rows are read by statements compiled once per kind of viewer,
ordering and cursor (``selectors_list._visible_rows``): they must be the rows, values and
cursors the ORM's own queries give, for every sort, both ways, for every kind of viewer,
whichever viewer the statements were compiled for first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts import selectors, selectors_list
from contacts.models import Contact
from contacts.selectors import CONTACT_ORDERINGS
from contacts.selectors_list import ROW_FIELDS, Cursor, contact_keyset_page, row_columns
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AdminFactory, AgentFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SIZE = 4


@pytest.fixture
def viewers():
    lead, other_lead = LeadFactory(), LeadFactory()
    members = [AgentFactory(team=lead.team), AgentFactory(team=lead.team)]
    outsider = AgentFactory(team=other_lead.team)
    start = timezone.now() - dt.timedelta(days=30)
    for n, owner in enumerate([lead, *members, outsider, other_lead] * 4):
        ContactFactory(
            owner=owner,
            name=f"客户{n % 5}",  # ties, broken by id
            created=start + dt.timedelta(hours=n // 3),  # ties too
            warmth_ref=float(n % 4),
            # Some never touched: NULL sorts as the oldest value.
            last_interaction_at=None if n % 3 == 0 else start + dt.timedelta(hours=n % 7),
        )
    return [members[0], lead, AdminFactory(), outsider, other_lead, members[1]]


def page(viewer, sort: str, cursor: Cursor | None, compiled: bool):
    visible = selectors_list.visible_contacts(user=viewer)
    return contact_keyset_page(
        visible,
        sort=sort,
        cursor=cursor,
        size=SIZE,
        anchors=visible,
        owners=selectors.contact_owners(user=viewer),
        columns=row_columns(user=viewer),
        viewer=viewer if compiled else None,
    )


def shown(keyset_page) -> list[tuple]:
    fields = [*ROW_FIELDS, "owner_half_life", "owner_display_name", "owner_username"]
    return [
        (*(getattr(row, field, "-") for field in fields), row.get_deferred_fields())
        for row in keyset_page
    ]


@pytest.mark.parametrize("sort", sorted(CONTACT_ORDERINGS))
def test_the_compiled_pages_are_the_orms_both_ways(viewers, sort):
    for viewer in viewers:
        cursor, seen = None, []
        for _ in range(30):  # forwards to the end
            mine, theirs = page(viewer, sort, cursor, True), page(viewer, sort, cursor, False)
            assert shown(mine) == shown(theirs)
            assert (mine.number, mine.next_cursor, mine.previous_cursor) == (
                theirs.number,
                theirs.next_cursor,
                theirs.previous_cursor,
            )
            seen += [row.pk for row in mine]
            if not mine.has_next:
                break
            cursor = Cursor.decode(mine.next_cursor, sort)
        assert sorted(seen) == sorted(
            Contact.objects.visible_to(viewer).active().values_list("pk", flat=True)
        )
        back = Cursor.decode(mine.previous_cursor, sort) if mine.has_previous else None
        if back is not None:  # and one page back
            assert shown(page(viewer, sort, back, True)) == shown(page(viewer, sort, back, False))


def test_a_cursor_past_the_end_shows_the_first_page(viewers):
    viewer = viewers[1]
    last = Contact.objects.visible_to(viewer).order_by("created", "id").first()
    cursor = Cursor("-created", last.created - dt.timedelta(days=1), last.pk, False, 9)
    mine, theirs = page(viewer, "-created", cursor, True), page(viewer, "-created", cursor, False)
    assert shown(mine) == shown(theirs) and mine.number == 1 and len(mine) == SIZE
