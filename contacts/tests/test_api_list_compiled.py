"""The contacts API list's pages read by a statement compiled once per kind of viewer
(``contacts.api.list_rows``) must be the ORM's pages byte for byte, links included: for every
ordering the API offers, first pages and cursor pages both ways, every kind of viewer and
time zone, whichever viewer the statement was compiled for first. Shapes it does not know go
to the ORM."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.api import list_rows
from contacts.api.list_rows import ContactListRows
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, GroupFactory, TagFactory
from crm import scoping
from crm.tests.factories import AdminFactory, AgentFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LIST = "api:contact-list"
ORDERINGS = ["", "id", "-id"] + [
    f"{way}{field}"
    for field in ("warmth_ref", "last_touch", "name", "created")
    for way in ("", "-")
]


@pytest.fixture
def reads(monkeypatch):
    """Counts the pages read by a compiled statement; ``reads.orm = True`` sends every page
    to the ORM instead."""

    class Reads:
        orm = False
        compiled = 0

    compiled_read = ContactListRows._compiled_read

    def counted(self, key):
        if Reads.orm:
            return None
        read = compiled_read(self, key)
        Reads.compiled += read is not None
        return read

    monkeypatch.setattr(ContactListRows, "_compiled_read", counted)
    return Reads


@pytest.fixture
def viewers():
    lead, other_lead = LeadFactory(time_zone="Asia/Shanghai"), LeadFactory(time_zone="UTC")
    members = [
        AgentFactory(team=lead.team, time_zone="America/New_York"),
        AgentFactory(team=lead.team),
    ]
    outsider = AgentFactory(team=other_lead.team)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
    for n, owner in enumerate([lead, *members, outsider, other_lead] * 4):
        tags = [TagFactory(owner=owner, name=f"标签{n % 3}")] if n % 2 else []
        groups = [GroupFactory(owner=owner, name=f"组{n % 4}")] if n % 3 else []
        ContactFactory(
            owner=owner,
            name=f"客户{n % 5}",  # ties, which the cursor steps over by the id
            created=start + dt.timedelta(hours=n // 3, microseconds=n % 2 * 1234),  # ties too
            warmth_ref=float(n % 4) / 3,
            # Some never touched: they sort as of 1970.
            last_interaction_at=None if n % 3 == 0 else start + dt.timedelta(hours=n % 7),
            tags=tags,
            groups=groups,
        )
    for _ in range(8):  # one agent's run of ties, longer than a page
        ContactFactory(owner=members[1], name="同名", created=start, warmth_ref=0.5)
    gone = ContactFactory(owner=members[0])
    Contact.objects.filter(pk=gone.pk).update(erased_at=timezone.now())  # not listed
    return [members[0], lead, AdminFactory(), outsider, other_lead, members[1]]


def walk(api_client, reads, url: str) -> dict[str, list[list[int]]]:
    """The ids on each page from ``url`` to the last by the next links, then on each page back
    to the first by the previous links, as the compiled statement reads them and as the ORM
    does; both must be the same (the compiled one taken for each)."""
    pages = {"next": [], "previous": []}
    for direction in pages:
        for _ in range(40):
            reads.orm, before = False, reads.compiled
            mine = api_client.get(url)
            assert reads.compiled == before + 1, url
            reads.orm = True
            theirs = api_client.get(url)
            assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content), url
            assert mine.status_code == 200, url
            pages[direction].append([row["id"] for row in mine.json()["results"]])
            link = mine.json()[direction]
            if link is None:
                break
            url = link
    return pages


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_the_compiled_pages_are_the_orms_both_ways(api_client, reads, viewers, ordering):
    for viewer in viewers:
        api_client.force_login(viewer)  # through the middleware: the user's time zone is active
        for size in ("3", ""):
            query = {
                key: value
                for key, value in {"ordering": ordering, "page_size": size}.items()
                if value
            }
            pages = walk(api_client, reads, f"{reverse(LIST)}?{urlencode(query)}")
            # Back from the last page, the same pages as forward, ties or not.
            assert pages["previous"][::-1] == pages["next"]
            seen = {pk for page in pages["next"] for pk in page}
            assert seen == set(
                Contact.objects.visible_to(viewer).active().values_list("pk", flat=True)
            )


def test_two_leads_see_only_their_own_team_whichever_compiled_first(
    api_client, reads, viewers, monkeypatch
):
    lead, other_lead = viewers[1], viewers[4]
    for first, second in ((lead, other_lead), (other_lead, lead)):
        monkeypatch.setattr(scoping, "_compiled", {})  # compiled for ``first``
        for viewer in (first, second):
            api_client.force_login(viewer)
            rows = api_client.get(reverse(LIST), {"page_size": 200}).json()["results"]
            team = Contact.objects.active().filter(owner__team=viewer.team)
            assert {row["id"] for row in rows} == set(team.values_list("pk", flat=True))
    assert reads.compiled == 4


NAIVE = pytest.mark.filterwarnings("ignore:DateTimeField Contact.created received a naive")


def cursor(*position: str, reverse: bool = False) -> str:
    """A cursor at ``position``, the value of each term of the ordering as text."""
    tokens = {"p": list(position), **({"r": "1"} if reverse else {})}
    return base64.b64encode(urlencode(tokens, doseq=True).encode()).decode()


@pytest.mark.parametrize(
    ("query", "compiled"),
    [
        ({"stage": "new_friend"}, 0),  # a filter: the ORM's filter set
        ({"ordering": "name,created"}, 0),  # an ordering of two terms
        ({"ordering": "name,name"}, 0),
        ({"ordering": "id", "cursor": cursor("0012")}, 0),  # not as the paginator writes it
        ({"ordering": "id", "cursor": cursor("12")}, 1),
        ({"ordering": "id", "cursor": cursor(str(2**63))}, 0),  # the ORM drops the filter
        ({"ordering": "-id", "cursor": cursor(str(2**63))}, 0),  # or every row
        ({"ordering": "-warmth_ref", "cursor": cursor("0.50", "7")}, 0),
        ({"ordering": "-warmth_ref", "cursor": cursor("0.5", "07")}, 0),
        ({"ordering": "-warmth_ref", "cursor": cursor("0.5", "7")}, 1),
        ({"ordering": "-warmth_ref", "cursor": cursor("nan", "7")}, 1),
        ({"ordering": "-warmth_ref", "cursor": cursor("0.5", str(2**63))}, 0),
        # A date, or a naive date-time: the ORM makes it aware (and warns).
        pytest.param({"cursor": cursor("2026-01-01", "7")}, 0, marks=NAIVE),
        pytest.param({"cursor": cursor("2026-01-01 00:00:00", "7")}, 0, marks=NAIVE),
        ({"cursor": cursor("2026-01-01T00:00:00+08:00", "7")}, 0),
        ({"cursor": cursor("2026-01-01 00:00:00+08:00", "7", reverse=True)}, 1),
        # The name is read by the id, not from the cursor: no such contact, nothing to read.
        ({"ordering": "name", "cursor": cursor("客户2", "7")}, 0),
        ({"ordering": "-last_touch", "cursor": cursor("1970-01-01 00:00:00+00:00", "7")}, 1),
    ],
)
def test_shapes_it_does_not_know_go_to_the_orm(api_client, reads, viewers, query, compiled):
    api_client.force_login(viewers[1])
    mine = api_client.get(reverse(LIST), query)
    assert reads.compiled == compiled
    reads.orm = True
    theirs = api_client.get(reverse(LIST), query)
    assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content)


def test_a_viewer_who_sees_no_contacts_gets_an_empty_page(api_client, reads):
    from crm.roles import Role
    from crm.tests.factories import UserFactory

    api_client.force_login(UserFactory(role=Role.CURATOR))
    assert api_client.get(reverse(LIST)).json() == {"next": None, "previous": None, "results": []}
    assert reads.compiled == 1


def test_the_orderings_it_reads_are_every_ordering_the_api_offers():
    from contacts.api.views import ContactViewSet

    offered = {(*ContactViewSet.ordering,)}
    for field in ContactViewSet.ordering_fields:
        for way in ("", "-"):
            terms = [f"{way}{field}"]
            if field != "id":
                terms.append(f"{way}id")
            offered.add(tuple(terms))
    reverse = {tuple(t[1:] if t.startswith("-") else f"-{t}" for t in terms) for terms in offered}
    assert offered | reverse == list_rows.ORDERINGS
