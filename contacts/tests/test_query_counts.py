"""The contact list page and API list cost the same number of queries at 10 and 100 contacts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory

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


# Session, user, the menus and the one-click kinds (one UNION), sources and count (one GROUP
# BY), the page, the page's tags and groups. A filter adds its count, and a check of each
# chosen tag, group or persona (here two).
LIST_QUERIES = 6
FILTERED_LIST_QUERIES = 9


@pytest.mark.parametrize("size", [10, 100])
def test_contact_list_page_query_count_is_constant(client, django_assert_max_num_queries, size):
    owner = AgentFactory()
    pool(owner, size)
    client.force_login(owner)
    url = reverse("contacts:list")
    baseline = count(lambda: client.get(url))
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(url)
    assert baseline <= LIST_QUERIES
    deep = client.get(url).context["page"].next_cursor
    if deep is not None:  # a later page costs the same
        with django_assert_max_num_queries(LIST_QUERIES):
            client.get(url, {"cursor": deep})


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


@pytest.mark.parametrize("size", [10, 100])
def test_contact_api_list_query_count_is_constant(api_client, django_assert_max_num_queries, size):
    owner = AgentFactory()
    pool(owner, size)
    api_client.force_authenticate(owner)
    # The contacts with their tags and groups (PostgreSQL); or the tags and groups next.
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 2):
        response = api_client.get(reverse("api:contact-list"), {"page_size": 100})
    assert len(response.json()["results"]) == size


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
