"""The contacts API keeps storage internals out of what it shows: no ``warmth_ref`` (the score
as of the warmth maths' reference instant, a number like 6.8e16), in the list (each way it
is read), the detail, a write's answer, or the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db

INTERNALS = {"warmth_ref"}


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "-warmth_ref"}, {"ordering": "warmth_ref", "stage": "new_friend"}],
)
def test_no_row_of_the_contact_list_shows_the_stored_score(api_client, params):
    lead = LeadFactory()
    for owner in (lead, AgentFactory(team=lead.led_team)):
        ContactFactory.create_batch(2, owner=owner, warmth_ref=6.8e16)
    api_client.force_authenticate(lead)
    body = api_client.get(reverse("api:contact-list"), params).json()
    assert len(body["results"]) == 4
    for row in body["results"]:
        assert not INTERNALS & set(row), row
        assert "6.8e16" not in str(row) and 6.8e16 not in row.values()


def test_the_detail_and_a_writes_answer_show_no_stored_score(api_client):
    contact = ContactFactory(warmth_ref=6.8e16)
    api_client.force_authenticate(contact.owner)
    url = reverse("api:contact-detail", args=[contact.pk])
    assert not INTERNALS & set(api_client.get(url).json())
    changed = api_client.patch(url, {"city": "南京"}, format="json")
    assert changed.status_code == 200
    assert not INTERNALS & set(changed.json())
    created = api_client.post(reverse("api:contact-list"), {"name": "新客户"}, format="json")
    assert created.status_code == 201
    assert not INTERNALS & set(created.json())


def test_the_schema_describes_no_stored_score(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    contact = schema["components"]["schemas"]["Contact"]["properties"]
    assert "name" in contact and not INTERNALS & set(contact)
