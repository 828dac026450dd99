"""The API's cursor pages (``crm.api.pagination``): every row once going forward, the same
pages coming back across runs of equal values, runs longer than DRF's 1,000-row offset cap
paged to their end, and a cursor its columns cannot hold refused with a 404."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from contacts.tests.factories import ContactFactory, TagFactory
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

CONTACTS = "api:contact-list"


def pages(api_client, url: str, direction: str) -> list[list[int]]:
    """The ids on each page from ``url`` by the ``direction`` links, to the end."""
    found = []
    while url:
        response = api_client.get(url)
        assert response.status_code == 200, url
        body = response.json()
        found.append([row["id"] for row in body["results"]])
        url = body[direction]
        assert len(found) < 200, "the links go round in a circle"
    return found


def last_page_url(api_client, url: str) -> str:
    for _ in range(200):
        following = api_client.get(url).json()["next"]
        if following is None:
            return url
        url = following
    pytest.fail("the next links go round in a circle")


# Runs of equal names of every length around the page sizes below.
NAMES = "a" * 1 + "b" * 4 + "c" * 3 + "d" * 7 + "e" + "f" * 2 + "g" * 5


@pytest.mark.parametrize("ordering", ["name", "-name", "warmth_ref", "-last_touch", "created"])
@pytest.mark.parametrize("page_size", [1, 2, 3, 5])
def test_back_from_the_last_page_are_the_same_pages_as_forward(api_client, ordering, page_size):
    agent = AgentFactory()
    for name in NAMES:
        ContactFactory(owner=agent, name=name, warmth_ref=float(ord(name)))
    # Two runs by last touch: some at one moment, the rest never touched (as of 1970).
    touched = Contact.objects.filter(owner=agent).exclude(name__in=["b", "d", "f"])
    touched.update(last_interaction_at=timezone.now())
    api_client.force_authenticate(agent)
    first = f"{reverse(CONTACTS)}?{urlencode({'ordering': ordering, 'page_size': page_size})}"
    forward = pages(api_client, first, "next")
    assert sorted(pk for page in forward for pk in page) == sorted(
        Contact.objects.filter(owner=agent).values_list("pk", flat=True)
    )
    assert all(len(page) == page_size for page in forward[:-1])
    back = pages(api_client, last_page_url(api_client, first), "previous")
    assert back[::-1] == forward


def test_a_run_of_equal_values_longer_than_a_thousand_rows_is_paged_to_its_end(api_client):
    agent = AgentFactory()
    Contact.objects.bulk_create(
        Contact(owner=agent, name=f"客户{n}", wechat_id=f"wx_{n}") for n in range(1_300)
    )  # never touched: every one sorts as of 1970
    api_client.force_authenticate(agent)
    url = f"{reverse(CONTACTS)}?{urlencode({'ordering': 'last_touch', 'page_size': 200})}"
    forward = pages(api_client, url, "next")
    assert [len(page) for page in forward] == [200] * 6 + [100]
    assert len({pk for page in forward for pk in page}) == 1_300


def test_a_page_of_tags_by_contact_count_across_ties(api_client):
    """Every list of the API pages the same way: tags, most of them used by no one."""
    agent = AgentFactory()
    tags = [TagFactory(owner=agent) for _ in range(9)]
    ContactFactory(owner=agent, tags=tags[:2])
    api_client.force_authenticate(agent)
    first = f"{reverse('api:contacttag-list')}?ordering=-contact_count&page_size=2"
    forward = pages(api_client, first, "next")
    assert sorted(pk for page in forward for pk in page) == sorted(tag.pk for tag in tags)
    assert pages(api_client, last_page_url(api_client, first), "previous")[::-1] == forward


def test_a_page_whose_rows_are_gone_links_to_the_last_and_to_the_first(api_client):
    agent = AgentFactory()
    contacts = [ContactFactory(owner=agent) for _ in range(5)]
    api_client.force_authenticate(agent)
    url = f"{reverse(CONTACTS)}?ordering=id&page_size=2"
    beyond = api_client.get(url).json()["next"]  # after the second contact
    Contact.objects.filter(pk__in=[c.pk for c in contacts[2:]]).delete()
    body = api_client.get(beyond).json()
    assert body["results"] == [] and body["next"] is None
    assert pages(api_client, body["previous"], "next") == [[c.pk for c in contacts[:2]]]
    after_all = str(contacts[-1].pk + 1)
    back = api_client.get(f"{url}&cursor={_cursor(after_all, reverse=True)}").json()
    assert [row["id"] for row in back["results"]] == [c.pk for c in contacts[:2]]
    assert back["previous"] is None
    assert pages(api_client, back["next"], "next") == [[]]  # past the position: nothing left


def _cursor(*position: str, reverse: bool = False, raw: str | None = None) -> str:
    tokens = {"p": list(position), **({"r": "1"} if reverse else {})}
    text = raw if raw is not None else urlencode(tokens, doseq=True)
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("-created", _cursor("2026-01-01T00:00:00+08:00")),  # one value for two terms
        ("-created", _cursor("2026-01-01T00:00:00+08:00", "7", "8")),
        ("-created", _cursor("the first of January", "7")),
        ("-warmth_ref", _cursor("0.5", "seven")),
        ("id", _cursor("seven")),
        ("name", _cursor("客户\x00", "7")),
        ("id", _cursor(raw="p=7&r=yes")),
        ("id", _cursor(raw="p=7&&r")),
        ("id", "not base64!"),
        ("id", "cD03"[:-1]),  # cut short
    ],
)
def test_a_cursor_its_columns_cannot_hold_is_a_404(api_client, ordering, cursor):
    agent = AgentFactory()
    ContactFactory(owner=agent)
    api_client.force_authenticate(agent)
    response = api_client.get(reverse(CONTACTS), {"ordering": ordering, "cursor": cursor})
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


def _token(link: str) -> str:
    """The text a link's cursor holds."""
    token = link.split("cursor=")[1].split("&")[0].replace("%3D", "=")
    return base64.b64decode(token).decode()


def test_a_cursor_holds_the_boundary_rows_values_and_no_offset(api_client):
    agent = AgentFactory()
    older = ContactFactory(owner=agent, warmth_ref=2.5)
    newer = ContactFactory(owner=agent, warmth_ref=2.5)
    api_client.force_authenticate(agent)
    body = api_client.get(reverse(CONTACTS), {"ordering": "warmth_ref", "page_size": 1}).json()
    assert [row["id"] for row in body["results"]] == [older.pk]
    assert _token(body["next"]) == urlencode({"p": ["2.5", older.pk]}, doseq=True)
    body = api_client.get(body["next"]).json()
    assert [row["id"] for row in body["results"]] == [newer.pk]


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_name_ordered_list_keeps_names_out_of_its_cursors(api_client, ordering):
    agent = AgentFactory()
    for n in range(7):
        ContactFactory(owner=agent, name=f"张伟{n % 3}")
    api_client.force_authenticate(agent)
    first = f"{reverse(CONTACTS)}?ordering={ordering}&page_size=2"
    forward = pages(api_client, first, "next")
    assert [pk for page in forward for pk in page] == list(
        Contact.objects.filter(owner=agent)
        .order_by(ordering, "-id" if ordering.startswith("-") else "id")
        .values_list("pk", flat=True)
    )
    assert pages(api_client, last_page_url(api_client, first), "previous")[::-1] == forward
    body = api_client.get(first).json()
    assert _token(body["next"]) == urlencode({"p": ["", body["results"][-1]["id"]]}, doseq=True)


def test_a_name_cursor_on_another_agents_contact_reveals_nothing(api_client):
    me, stranger = AgentFactory(), AgentFactory()
    for name in ["甲", "乙", "丙"] * 3:
        ContactFactory(owner=me, name=name)
    secret = ContactFactory(owner=stranger, name="乙")
    api_client.force_authenticate(me)
    url = f"{reverse(CONTACTS)}?ordering=name&cursor={_cursor('甲', str(secret.pk))}"
    body = api_client.get(url).json()
    assert body["results"] == []  # as for a contact that is gone; the name given is not read
