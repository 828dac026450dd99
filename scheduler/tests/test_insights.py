"""Insights: interactions earned per post by window and category, scoped like every read."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.insights import insights_for
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def went_out(persona, window, days_ago, status=PostStatus.POSTED, category="story"):
    when = NOW - dt.timedelta(days=days_ago)
    return PostFactory(
        persona=persona,
        window_name=window,
        scheduled_at=when,
        window_ends_at=when + dt.timedelta(hours=1),
        status=status,
        category=category,
    )


def react(post, times):
    contact = ContactFactory(owner=post.persona.owner)
    for _ in range(times):
        interaction_log(contact=contact, kind="liked", post=post, by=post.persona.owner)


@pytest.fixture
def pool():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent)
    commute_a = went_out(persona, "commute", 3)
    commute_b = went_out(persona, "commute", 4, category="value")
    lunch = went_out(persona, "lunch", 5, category="value")
    went_out(persona, "bedtime", 6, status=PostStatus.MISSED)
    went_out(persona, "lunch", 40)  # outside the 30 days
    react(commute_a, 3)
    react(commute_b, 1)
    react(lunch, 6)
    return lead, agent, persona


def test_best_window_is_the_most_interactions_per_post(pool):
    _, agent, _ = pool
    insights = insights_for(viewer=agent, agent=agent)
    lines = {line.key: (line.posted, line.missed, line.earned) for line in insights.by_window}
    assert lines == {"commute": (2, 0, 4), "lunch": (1, 0, 6), "bedtime": (0, 1, 0)}
    assert insights.best_window.key == "lunch"
    assert (insights.posted, insights.missed) == (3, 1)
    by_category = {line.key: (line.posted, line.earned) for line in insights.by_category}
    assert by_category == {"story": (1, 3), "value": (2, 7), "ad": (0, 0)}


def test_windows_come_in_the_agents_day_order(pool):
    _, agent, _ = pool
    keys = [line.key for line in insights_for(viewer=agent, agent=agent).by_window]
    assert keys == ["commute", "lunch", "bedtime"]


def test_a_viewer_who_cannot_see_the_posts_gets_zeros(pool):
    _, agent, _ = pool
    stranger = AgentFactory()
    assert insights_for(viewer=stranger, agent=agent).posted == 0


def test_persona_filter(pool):
    _, agent, persona = pool
    other = PersonaFactory(owner=agent)
    went_out(other, "commute", 2)
    assert insights_for(viewer=agent, agent=agent, persona=persona).posted == 3
    assert insights_for(viewer=agent, agent=agent).posted == 4


def test_page_for_an_agent_and_for_their_lead(client, pool):
    lead, agent, _ = pool
    client.force_login(agent)
    response = client.get(reverse("scheduler-insights"))
    assert response.status_code == 200
    assert response.context["insights"].best_window.key == "lunch"
    assert "<svg" in response.content.decode()
    client.force_login(lead)
    response = client.get(reverse("scheduler-insights"), {"agent": agent.pk})
    assert response.context["insights"].posted == 3


def test_page_and_api_404_for_someone_elses_agent(client, api_client, pool):
    _, agent, persona = pool
    teammate = AgentFactory(team=agent.team)
    other_lead = LeadFactory()
    for viewer in (teammate, other_lead):
        client.force_login(viewer)
        assert client.get(reverse("scheduler-insights"), {"agent": agent.pk}).status_code == 404
        api_client.force_authenticate(viewer)
        url = reverse("api:insights-list")
        assert api_client.get(url, {"agent": agent.pk}).status_code == 404
    client.force_login(teammate)
    assert client.get(reverse("scheduler-insights"), {"persona": persona.pk}).status_code == 404


def test_api_answers_the_figures_and_refuses_bad_days(api_client, pool):
    _, agent, _ = pool
    api_client.force_authenticate(agent)
    body = api_client.get(reverse("api:insights-list")).json()
    assert body["best_window"] == "lunch"
    assert [w["key"] for w in body["by_window"]] == ["commute", "lunch", "bedtime"]
    assert body["by_window"][0]["per_post"] == 2.0
    response = api_client.get(reverse("api:insights-list"), {"days": 0})
    assert response.status_code == 400
    assert "days" in response.json()


def test_query_count_does_not_grow_with_posts(client, pool, django_assert_max_num_queries):
    _, agent, persona = pool
    client.force_login(agent)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("scheduler-insights"))
    for i in range(20):
        react(went_out(persona, ["commute", "lunch", "bedtime"][i % 3], 1 + i % 20), 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("scheduler-insights"))


def test_default_windows_are_shown_translated(client, pool):
    _, agent, _ = pool
    client.force_login(agent)
    body = client.get(reverse("scheduler-insights")).content.decode()
    assert "通勤" in body
