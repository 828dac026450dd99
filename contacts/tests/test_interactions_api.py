"""The interactions and alerts API: log through the service, filters, scoping, dismiss."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Alert, Interaction
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, InteractionFactory, interaction_kind
from contacts.warmth.alerts import alerts_raise_for
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.plans import index_plan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
LIST = reverse("api:interaction-list")
ALERTS = reverse("api:alert-list")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_create_logs_through_the_service_and_answers_with_warmth(api_client):
    contact = ContactFactory()
    api_client.force_authenticate(contact.owner)
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "quote", "note": "要方案"})
    assert response.status_code == 201, response.data
    assert response.data["warmth"] == pytest.approx(25.0)
    assert response.data["tier"] == "warm"
    assert response.data["suggested_stage"] == "interested"
    assert response.data["logged_by"] == contact.owner.pk
    contact.refresh_from_db()
    assert contact.warmth_ref > 0
    assert contact.last_interaction_at == NOW


def test_bad_input_is_a_400_with_field_errors(api_client):
    contact = ContactFactory()
    api_client.force_authenticate(contact.owner)
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "hug"})
    assert response.status_code == 400 and "kind" in response.data
    future = (NOW + timedelta(days=1)).isoformat()
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "call", "at": future})
    assert response.status_code == 400 and "at" in response.data
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "call", "at": "yesterday"})
    assert response.status_code == 400 and "at" in response.data
    assert not Interaction.objects.exists()


def test_logging_on_another_agents_contact_is_refused(api_client):
    other = ContactFactory()
    api_client.force_authenticate(AgentFactory())
    response = api_client.post(LIST, {"contact": other.pk, "kind": "call"})
    assert response.status_code == 400
    assert "contact" in response.data
    assert not Interaction.objects.exists()


def test_another_agents_post_cannot_be_linked(api_client):
    from scheduler.tests.factories import PostFactory

    contact = ContactFactory()
    api_client.force_authenticate(contact.owner)
    theirs = PostFactory()
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "liked", "post": theirs.pk})
    assert response.status_code == 400 and "post" in response.data
    mine = PostFactory(persona__owner=contact.owner)
    response = api_client.post(LIST, {"contact": contact.pk, "kind": "liked", "post": mine.pk})
    assert response.status_code == 201
    assert response.data["post"] == mine.pk


def test_list_filters_by_contact_kind_and_time_range(api_client):
    owner = AgentFactory()
    a, b = ContactFactory.create_batch(2, owner=owner)
    interaction_log(contact=a, kind="call", at=NOW - timedelta(days=10), by=owner)
    interaction_log(contact=a, kind="meeting", at=NOW - timedelta(days=2), by=owner)
    interaction_log(contact=b, kind="call", at=NOW - timedelta(days=1), by=owner)
    api_client.force_authenticate(owner)

    def ids(**params):
        data = api_client.get(LIST, params).data
        return [(row["contact"], row["kind"]) for row in data["results"]]

    assert ids() == [(b.pk, "call"), (a.pk, "meeting"), (a.pk, "call")]
    assert ids(contact=a.pk) == [(a.pk, "meeting"), (a.pk, "call")]
    assert ids(kind="call") == [(b.pk, "call"), (a.pk, "call")]
    since = (NOW - timedelta(days=3)).isoformat()
    until = (NOW - timedelta(days=1, hours=1)).isoformat()
    assert ids(at_after=since, at_before=until) == [(a.pk, "meeting")]


def test_list_keeps_a_constant_query_count(api_client, django_assert_max_num_queries):
    owner = AgentFactory()
    api_client.force_authenticate(owner)
    contact = ContactFactory(owner=owner)
    interaction_log(contact=contact, kind="call", by=owner)
    with django_assert_max_num_queries(10) as few:
        api_client.get(LIST)
    for n in range(30):
        interaction_log(
            contact=ContactFactory(owner=owner), kind="liked", at=NOW - timedelta(hours=n), by=owner
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get(LIST).data["results"]) == 31


def test_another_agents_interaction_is_a_404_and_never_listed(api_client):
    contact = ContactFactory()
    logged = interaction_log(contact=contact, kind="call", by=contact.owner)
    api_client.force_authenticate(AgentFactory())
    url = reverse("api:interaction-detail", args=[logged.interaction.pk])
    assert api_client.get(url).status_code == 404
    assert api_client.get(LIST).data["results"] == []


def test_a_lead_sees_the_teams_interactions_only(api_client):
    lead = LeadFactory()
    member = ContactFactory(owner=AgentFactory(team=lead.team))
    outsider = ContactFactory()
    interaction_log(contact=member, kind="call", by=None)
    interaction_log(contact=outsider, kind="call", by=None)
    api_client.force_authenticate(lead)
    rows = api_client.get(LIST).data["results"]
    assert [row["contact"] for row in rows] == [member.pk]
    # ...and may not log on a member's contact (only the owner logs).
    response = api_client.post(LIST, {"contact": member.pk, "kind": "call"})
    assert response.status_code == 400


def _alert_for(owner):
    ContactFactory(owner=owner, next_follow_up=date(2026, 11, 25))
    alerts_raise_for(owner=owner)
    return Alert.objects.get(owner=owner)


def test_alerts_list_and_dismiss(api_client):
    agent = AgentFactory()
    alert = _alert_for(agent)
    api_client.force_authenticate(agent)
    rows = api_client.get(ALERTS, {"open": "true"}).data["results"]
    assert [row["id"] for row in rows] == [alert.pk]
    assert rows[0]["kind"] == "follow_up"
    response = api_client.post(reverse("api:alert-dismiss", args=[alert.pk]))
    assert response.status_code == 200
    assert response.data["dismissed_at"] is not None
    assert api_client.get(ALERTS, {"open": "true"}).data["results"] == []
    assert len(api_client.get(ALERTS).data["results"]) == 1


def test_another_agents_alert_is_a_404_to_read_and_to_dismiss(api_client):
    alert = _alert_for(AgentFactory())
    api_client.force_authenticate(AgentFactory())
    assert api_client.get(reverse("api:alert-detail", args=[alert.pk])).status_code == 404
    assert api_client.post(reverse("api:alert-dismiss", args=[alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert alert.dismissed_at is None


def test_a_lead_sees_the_teams_alerts_but_dismisses_only_their_own(api_client):
    lead = LeadFactory()
    members_alert = _alert_for(AgentFactory(team=lead.team))
    _alert_for(AgentFactory())
    api_client.force_authenticate(lead)
    assert [r["id"] for r in api_client.get(ALERTS).data["results"]] == [members_alert.pk]
    response = api_client.post(reverse("api:alert-dismiss", args=[members_alert.pk]))
    assert response.status_code == 404


def test_anonymous_gets_401(api_client):
    assert api_client.get(LIST).status_code == 401
    assert api_client.get(ALERTS).status_code == 401


def test_an_interaction_belongs_to_its_contacts_owner_whatever_the_caller_sets():
    contact = ContactFactory()
    row = InteractionFactory(contact=contact, owner=AgentFactory())
    assert row.owner_id == contact.owner_id
    assert Interaction.objects.visible_to(contact.owner).get() == row


def test_a_contact_given_to_another_agent_takes_its_history_along():
    contact, stays = ContactFactory.create_batch(2)
    rows = InteractionFactory.create_batch(2, contact=contact)
    InteractionFactory(contact=stays)
    former, new_owner = contact.owner, AgentFactory()
    contact.owner = new_owner
    contact.save()
    assert set(Interaction.objects.visible_to(new_owner)) == set(rows)
    assert list(Interaction.objects.visible_to(former)) == []
    assert Interaction.objects.get(contact=stays).owner_id == stays.owner_id


def _walk(api_client, url, direction="next"):
    """Every row id from ``url`` on, following the ``direction`` links, page by page."""
    pages = []
    while url:
        data = api_client.get(url).data
        pages.append([row["id"] for row in data["results"]])
        url = data[direction]
    return pages


def _team_history(*, ties: bool):
    """A lead's team of three with interactions interleaved, and an outsider's. With ``ties``
    four rows share each hour (the cursor's position ties within and across agents)."""
    lead = LeadFactory()
    agents = AgentFactory.create_batch(3, team=lead.team)
    for n in range(24):
        at = NOW - (timedelta(hours=n // 4) if ties else timedelta(minutes=7 * n))
        kind = "call" if n % 5 else "meeting"
        # The first ten all one agent's: a page can be one agent's rows alone.
        contact = ContactFactory(owner=agents[0 if n < 10 else n % 3])
        InteractionFactory(contact=contact, at=at, kind=interaction_kind(kind))
    InteractionFactory(contact=ContactFactory(), at=NOW)
    return lead


def _expected(lead, params: str) -> list[int]:
    """The rows the pages should hold, found through the contacts (not the owner column)."""
    expected = Interaction.objects.filter(contact__owner__team=lead.team).order_by("-at", "-id")
    if "kind" in params:
        expected = expected.filter(kind__code="call")
    if "at_before" in params:
        expected = expected.filter(at__lt=datetime(2026, 11, 25, 2, 30, tzinfo=UTC))
    return list(expected.values_list("id", flat=True))


PARAMS = ["", "&kind=call", f"&at_before={NOW.date()}T02:30:00Z"]


@pytest.mark.postgres
@pytest.mark.parametrize("params", PARAMS)
def test_on_postgresql_a_leads_pages_are_the_plain_querys_rows(api_client, params):
    """Filtered or not, with the position tied across agents, a lead's pages hold the plain
    query's rows in its order."""
    lead = _team_history(ties=True)
    api_client.force_authenticate(lead)
    pages = _walk(api_client, f"{LIST}?page_size=5{params}")
    expected = _expected(lead, params)
    assert [pk for page in pages for pk in page] == expected
    assert len(pages) == -(-len(expected) // 5) and all(pages)


@pytest.mark.postgres
@pytest.mark.parametrize("params", PARAMS)
def test_on_postgresql_a_leads_pages_going_back_are_the_same_pages(api_client, params):
    """Back from the last page by the "previous" links (DRF reads those in the reverse
    order). Without ties: with them, DRF's previous pages shift whatever the query."""
    lead = _team_history(ties=False)
    api_client.force_authenticate(lead)
    first = f"{LIST}?page_size=5{params}"
    forwards = _walk(api_client, first)
    assert [pk for page in forwards for pk in page] == _expected(lead, params)
    last = first
    for _ in forwards[1:]:
        last = api_client.get(last).data["next"]
    assert _walk(api_client, last, "previous") == forwards[::-1]


@pytest.mark.postgres
def test_on_postgresql_an_agents_list_is_a_range_of_their_own_index(api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = AgentFactory()
    for n in range(3):
        InteractionFactory(contact=ContactFactory(owner=owner), at=NOW - timedelta(hours=n))
    api_client.force_authenticate(owner)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(LIST)
    [query] = [q["sql"] for q in queries.captured_queries if "contacts_interaction" in q["sql"]]
    plan = index_plan(query)
    assert "interaction_owner_at" in plan, plan
    assert "Index Cond: (owner_id = " in plan, plan
