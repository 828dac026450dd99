"""The interactions and alerts API: log through the service, filters, scoping, dismiss."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Alert, Interaction
from contacts.services import interaction_log
from contacts.services.alerts import alerts_raise_for
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory, LeadFactory

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
