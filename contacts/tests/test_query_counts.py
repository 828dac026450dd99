"""The contact list page and the API list read with a small constant number of queries: the
same at 10 and 100 contacts, on the first page and a deep one, for an agent and a lead."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db


def pool(owner, size: int) -> None:
    tags = [TagFactory(owner=owner) for _ in range(3)]
    groups = [GroupFactory(owner=owner) for _ in range(2)]
    persona = PersonaFactory(owner=owner)
    for i in range(size):
        ContactFactory(owner=owner, persona=persona, tags=tags[: i % 4], groups=groups[: i % 3])


def count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


# Session and user; the page's rows, their tags and their groups; the sources and count; the
# tag, group and persona menus; the one-click kinds. A name-sorted deep page adds the read of
# its boundary row's name; a filter adds its count and a check of each chosen tag, group or
# persona (here two).
LIST_QUERIES = 10
DEEP_NAME_QUERIES = 11
FILTERED_LIST_QUERIES = 13
# The page of contacts, their tags, their groups.
API_LIST_QUERIES = 3


def viewer(who: str, size: int):
    if who == "agent":
        user = AgentFactory()
        pool(user, size)
        return user
    user = LeadFactory()
    for _ in range(2):
        pool(AgentFactory(team=user.team), size // 2)
    return user


@pytest.mark.parametrize("who", ["agent", "lead"])
@pytest.mark.parametrize("size", [10, 100])
@pytest.mark.parametrize(
    ("sort", "deep_queries"), [("-created", LIST_QUERIES), ("name", DEEP_NAME_QUERIES)]
)
def test_contact_list_page_query_count_is_constant(
    client, django_assert_max_num_queries, who, size, sort, deep_queries
):
    user = viewer(who, size)
    client.force_login(user)
    url = reverse("contacts:list")
    with django_assert_max_num_queries(LIST_QUERIES):
        first = client.get(url, {"sort": sort})
    following = first.context["page"].next_url
    if following is not None:  # a later page costs the same
        with django_assert_max_num_queries(deep_queries):
            deep = client.get(f"{url}{following}")
        assert len(deep.context["page"]) > 0


@pytest.mark.parametrize("size", [10, 100])
def test_filtered_contact_list_query_count_is_constant(client, django_assert_max_num_queries, size):
    owner = AgentFactory()
    pool(owner, size)
    client.force_login(owner)
    tag = owner.contact_tags.order_by("id").first()
    persona = owner.personas.get()
    params = {"q": "客户", "tag": tag.pk, "persona": persona.pk, "stage": "new_friend"}
    with django_assert_max_num_queries(FILTERED_LIST_QUERIES):
        response = client.get(reverse("contacts:list"), params)
    assert response.context["count"] == sum(1 for i in range(size) if i % 4 >= 1)


@pytest.mark.parametrize("who", ["agent", "lead"])
@pytest.mark.parametrize("size", [10, 100])
def test_contact_api_list_query_count_is_constant(
    api_client, django_assert_max_num_queries, who, size
):
    user = viewer(who, size)
    api_client.force_authenticate(user)
    with django_assert_max_num_queries(API_LIST_QUERIES):
        response = api_client.get(reverse("api:contact-list"), {"page_size": 100})
    assert len(response.json()["results"]) == size
    following = api_client.get(reverse("api:contact-list"), {"page_size": 5}).json()["next"]
    with django_assert_max_num_queries(API_LIST_QUERIES):
        deep = api_client.get(following)
    assert len(deep.json()["results"]) == 5


def test_same_count_at_10_and_100_contacts(client, api_client):
    small, big = AgentFactory(), AgentFactory()
    pool(small, 10)
    pool(big, 100)
    counts = {}
    for user in (small, big):
        client.force_login(user)
        api_client.force_authenticate(user)
        page = count(lambda: client.get(reverse("contacts:list"), {"sort": "-warmth"}))
        api = count(lambda: api_client.get(reverse("api:contact-list"), {"page_size": 100}))
        counts[user.pk] = (page, api)
    assert counts[small.pk] == counts[big.pk], counts
