"""The interactions API: DELETE an interaction, PATCH its time; the owner only, warmth follows,
bad input is a 400 with field errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts import warmth
from contacts.models import Contact, Interaction
from contacts.services import contact_erase, interaction_log
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def detail(interaction: Interaction) -> str:
    return reverse("api:interaction-detail", args=[interaction.pk])


def _logged(kind: str = "call", contact: Contact | None = None) -> Interaction:
    contact = contact or ContactFactory()
    return interaction_log(contact=contact, kind=kind, by=contact.owner).interaction


def _warmth(contact: Contact) -> float:
    contact.refresh_from_db()
    return warmth.warmth_now(contact.warmth_ref, NOW, 14)


def test_delete_removes_the_interaction_and_its_warmth(api_client):
    meeting = _logged("meeting")
    contact = meeting.contact
    call = _logged("call", contact)
    api_client.force_authenticate(contact.owner)
    response = api_client.delete(detail(call))
    assert response.status_code == 204
    assert not Interaction.objects.filter(pk=call.pk).exists()
    assert _warmth(contact) == pytest.approx(20.0)
    assert api_client.delete(detail(call)).status_code == 404


def test_patch_corrects_the_time_and_answers_with_the_warmth_after(api_client):
    call = _logged("call")
    api_client.force_authenticate(call.contact.owner)
    at = NOW - timedelta(days=14)
    response = api_client.patch(detail(call), {"at": at.isoformat()}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["id"] == call.pk
    assert response.data["warmth"] == pytest.approx(5.0)
    assert response.data["tier"] == "cold"
    assert response.data["suggested_stage"] is None
    assert Interaction.objects.get(pk=call.pk).at == at
    assert _warmth(call.contact) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"at": (NOW + timedelta(days=1)).isoformat()}, "at"),
        ({"at": "yesterday"}, "at"),
        ({}, "at"),
        ({"at": NOW.isoformat(), "kind": "meeting"}, "kind"),
        ({"note": "改一下"}, "note"),
    ],
)
def test_a_bad_patch_is_a_400_with_field_errors_and_changes_nothing(api_client, body, field):
    call = _logged("call")
    api_client.force_authenticate(call.contact.owner)
    response = api_client.patch(detail(call), body, format="json")
    assert response.status_code == 400
    assert field in response.data
    call.refresh_from_db()
    assert (call.at, call.kind.code, call.note) == (NOW, "call", "")


def test_put_is_not_offered(api_client):
    call = _logged()
    api_client.force_authenticate(call.contact.owner)
    response = api_client.put(detail(call), {"at": NOW.isoformat()}, format="json")
    assert response.status_code == 405


def test_an_erased_contacts_interaction_is_a_400(api_client):
    call = _logged()
    contact_erase(contact=call.contact, actor=call.contact.owner)
    api_client.force_authenticate(call.contact.owner)
    assert api_client.delete(detail(call)).status_code == 400
    patch = api_client.patch(detail(call), {"at": NOW.isoformat()}, format="json")
    assert patch.status_code == 400
    assert Interaction.objects.filter(pk=call.pk).exists()


def test_another_agent_gets_a_404_and_changes_nothing(api_client):
    call = _logged()
    api_client.force_authenticate(AgentFactory())
    assert api_client.delete(detail(call)).status_code == 404
    at = (NOW - timedelta(days=1)).isoformat()
    assert api_client.patch(detail(call), {"at": at}, format="json").status_code == 404
    assert Interaction.objects.get(pk=call.pk).at == NOW


def test_a_lead_reads_a_members_interaction_but_cannot_change_it(api_client):
    lead = LeadFactory()
    call = _logged(contact=ContactFactory(owner=AgentFactory(team=lead.led_team)))
    api_client.force_authenticate(lead)
    assert api_client.get(detail(call)).status_code == 200
    assert api_client.delete(detail(call)).status_code == 404
    at = (NOW - timedelta(days=1)).isoformat()
    assert api_client.patch(detail(call), {"at": at}, format="json").status_code == 404
    assert Interaction.objects.get(pk=call.pk).at == NOW


def test_the_schema_offers_delete_and_patch_of_the_time(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/interactions/{id}/"]
    assert {"get", "patch", "delete"} <= set(operations)
    assert "put" not in operations
    body = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"at"}
