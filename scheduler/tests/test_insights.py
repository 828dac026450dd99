"""Insights: interactions earned per post by window and category, scoped like every read."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text
from scheduler.insights import insights_for
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


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


def options(page) -> dict[str, str]:
    """The agent menu's options: value -> text (empty when the page offers no menu)."""
    menus = find_all(page, "select", name="agent")
    return {attr(o, "value"): text(o) for menu in menus for o in find_all(menu, "option")}


def section(page, heading: str):
    return find(page, "section", **{"aria-labelledby": heading})


def insights_page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("scheduler-insights"), query)
    assert response.status_code == 200
    return response, parse(response.content)


def test_an_agents_menu_does_not_offer_their_lead(client, api_client, pool):
    lead, agent, _ = pool
    response, page = insights_page(client, agent)
    assert str(lead.pk) not in options(page)
    assert list(response.context["agents"]) == [agent]
    # Asking for the lead's figures by hand is refused, as any other agent's are.
    assert client.get(reverse("scheduler-insights"), {"agent": lead.pk}).status_code == 404
    api_client.force_authenticate(agent)
    url = reverse("api:insights-list")
    assert api_client.get(url, {"agent": lead.pk}).status_code == 404


def test_a_leads_menu_lists_the_team_and_herself_only_when_she_posts(client, pool):
    lead, agent, _ = pool
    teammate = AgentFactory(team=lead.led_team, display_name="二号")
    outsider = AgentFactory(display_name="外人")
    _, page = insights_page(client, lead)
    menu = options(page)
    assert set(menu) == {"", str(agent.pk), str(teammate.pk)}
    assert lead.led_team.name in menu[""]  # "whole team (<team>)"
    PersonaFactory(owner=lead)
    _, page = insights_page(client, lead)
    assert set(options(page)) == {"", str(agent.pk), str(teammate.pk), str(lead.pk)}
    assert client.get(reverse("scheduler-insights"), {"agent": outsider.pk}).status_code == 404


def test_a_leads_insights_open_on_the_whole_team(client, api_client, pool):
    lead, _, _ = pool
    teammate = AgentFactory(team=lead.led_team)
    went_out(PersonaFactory(owner=teammate), "commute", 2)
    response, page = insights_page(client, lead)
    insights = response.context["insights"]
    assert insights.agent is None and insights.team == lead.led_team
    assert (insights.posted, insights.missed) == (4, 1)  # the agent's 3 and 1, the teammate's 1
    menu = find(page, "select", name="agent")
    selected = [o for o in find_all(menu, "option") if attr(o, "selected") is not None]
    assert [attr(o, "value") for o in selected] == [""]
    assert lead.led_team.name in text(find(page, "h2", id_="best-h"))
    # One agent of the team on request, and the API opens on the team as the page does.
    response, _ = insights_page(client, lead, agent=teammate.pk)
    assert response.context["insights"].posted == 1
    api_client.force_authenticate(lead)
    body = api_client.get(reverse("api:insights-list")).json()
    assert (body["agent"], body["team"], body["posted"]) == (None, lead.led_team.pk, 4)


def test_a_persona_left_chosen_from_another_agent_is_dropped_not_refused(client, pool):
    lead, _, persona = pool
    teammate = AgentFactory(team=lead.led_team)
    response, _ = insights_page(client, lead, agent=teammate.pk, persona=persona.pk)
    assert response.context["insights"].persona is None
    stranger_persona = PersonaFactory()
    client.force_login(lead)
    query = {"persona": stranger_persona.pk}
    assert client.get(reverse("scheduler-insights"), query).status_code == 404


def test_bars_say_what_they_count(client, pool):
    _, agent, _ = pool
    _, page = insights_page(client, agent)
    per_post = zh("Interactions per post")
    assert len(find_all(page, "svg")) == 3
    chart = find(section(page, "window-h"), "svg")
    assert text(find(chart, "text", cls="chart-axis")) == per_post
    spoken = attr(chart, "aria-label")
    assert f"{zh('Lunch')}: {per_post} 6" in spoken and f"{zh('Commute')}: {per_post} 2" in spoken
    best = section(page, "best-h")
    legend = text(find(best, "p", cls="legend"))
    assert zh("Went out") in legend and zh("Missed") in legend
    outcome = attr(find(best, "svg"), "aria-label")
    assert f"{zh('Went out')} 3" in outcome and f"{zh('Missed')} 1" in outcome


def test_each_count_is_named_for_what_it_counts(client, pool):
    _, agent, persona = pool
    went_out(persona, "lunch", 1, status=PostStatus.SCHEDULED)  # due, not yet sent
    response, page = insights_page(client, agent)
    by_status = response.context["insights"].by_status
    assert (by_status["scheduled"], by_status["posted"], by_status["missed"]) == (1, 3, 1)
    counts = [text(li) for li in find_all(find(section(page, "best-h"), "ul", cls="counts"), "li")]
    assert "已排期：1 条" in counts and "已发布：3 条" in counts and "已错过：1 条" in counts
    # The mix counts every planned post (posted ones too): it says "planned", not "scheduled".
    mix = [text(li) for li in find_all(find(section(page, "cat-h"), "ul"), "li")]
    assert "故事：计划 3 条（目标 40%）" in mix
    assert not [line for line in mix if "已排期" in line]


def test_one_post_is_said_in_the_singular(client, pool):
    _, agent, _ = pool
    agent.language = "en"
    agent.save(update_fields=["language"])
    _, page = insights_page(client, agent, days=3)  # only the commute post of 3 days ago
    assert "over 1 post that went out." in text(section(page, "best-h"))
    assert text(find(page, "h2", id_="best-h")).endswith("last 3 days")
    _, page = insights_page(client, agent, days=1)
    assert text(find(page, "h2", id_="best-h")).endswith("last day")


def test_the_team_view_query_count_does_not_grow_with_the_team(
    client, pool, django_assert_max_num_queries
):
    lead, _, _ = pool
    client.force_login(lead)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("scheduler-insights"))
    for i in range(5):
        persona = PersonaFactory(owner=AgentFactory(team=lead.led_team))
        react(went_out(persona, ["commute", "lunch", "bedtime"][i % 3], 1 + i), 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("scheduler-insights"))
    assert response.context["insights"].posted == 3 + 5
