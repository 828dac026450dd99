"""Filtering contacts by warmth tier, on the list page and in the API."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


@pytest.fixture
def pool():
    agent = AgentFactory()
    hot = ContactFactory(owner=agent, name="热线索")
    warm = ContactFactory(owner=agent, name="温线索")
    cold = ContactFactory(owner=agent, name="冷线索")
    faded = ContactFactory(owner=agent, name="曾经热")
    with time_machine.travel(NOW, tick=False):
        interaction_log(contact=hot, kind="quote", by=agent)  # 25
        interaction_log(contact=hot, kind="meeting", by=agent)  # +20 = 45: hot
        interaction_log(contact=warm, kind="call", by=agent)  # 10: warm
    with time_machine.travel(NOW - timedelta(days=56), tick=False):
        # 45 four half-lives ago is 2.8 now: cold, though its stored score was once hot.
        interaction_log(contact=faded, kind="quote", by=agent)
        interaction_log(contact=faded, kind="meeting", by=agent)
    return agent, {"hot": hot, "warm": warm, "cold": cold, "faded": faded}


@pytest.mark.parametrize(
    ("tier", "expected"), [("hot", {"hot"}), ("warm", {"warm"}), ("cold", {"cold", "faded"})]
)
def test_api_filters_by_tier_now(api_client, pool, tier, expected):
    agent, contacts = pool
    api_client.force_authenticate(agent)
    with time_machine.travel(NOW, tick=False):
        response = api_client.get(reverse("api:contact-list"), {"tier": tier})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {contacts[name].pk for name in expected}


def test_a_hot_lead_leaves_the_hot_filter_as_time_passes(api_client, pool):
    agent, _ = pool
    api_client.force_authenticate(agent)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        response = api_client.get(reverse("api:contact-list"), {"tier": "hot"})
    # 45 * 2^(-3/14) = 38.9: below the hot threshold of 40 three days later.
    assert response.json()["results"] == []


def test_unknown_tier_is_a_400(api_client, pool):
    agent, _ = pool
    api_client.force_authenticate(agent)
    response = api_client.get(reverse("api:contact-list"), {"tier": "boiling"})
    assert response.status_code == 400
    assert "tier" in response.json()


def test_list_page_filters_by_tier(client, pool):
    agent, contacts = pool
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("contacts:list"), {"tier": "hot"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [contacts["hot"].pk]
