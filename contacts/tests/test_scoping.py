"""Another agent's objects are 404 on every page and endpoint; a lead sees the team only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactImport
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory, CuratorFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strangers_objects():
    """One of everything, owned by an agent in another team."""
    stranger = AgentFactory()
    persona = PersonaFactory(owner=stranger)
    tag = TagFactory(owner=stranger)
    group = GroupFactory(owner=stranger)
    contact = ContactFactory(owner=stranger, persona=persona, tags=[tag], groups=[group])
    contact_import = ContactImport.objects.create(owner=stranger, file="imports/x.csv")
    return {
        "contact": contact,
        "persona": persona,
        "tag": tag,
        "group": group,
        "import": contact_import,
    }


def page_urls(objs):
    c = objs["contact"].pk
    return [
        ("get", reverse("contacts:detail", args=[c])),
        ("post", reverse("contacts:detail", args=[c])),
        ("get", reverse("contacts:edit", args=[c])),
        ("post", reverse("contacts:edit", args=[c])),
        ("post", reverse("contacts:phone", args=[c])),
        ("get", reverse("contacts:erase", args=[c])),
        ("post", reverse("contacts:erase", args=[c])),
        ("get", reverse("contacts:group-detail", args=[objs["group"].pk])),
        ("post", reverse("contacts:group-detail", args=[objs["group"].pk])),
        ("get", reverse("contacts:persona-edit", args=[objs["persona"].pk])),
        ("post", reverse("contacts:persona-edit", args=[objs["persona"].pk])),
        ("get", reverse("contacts:import-detail", args=[objs["import"].pk])),
    ]


def api_urls(objs):
    c = objs["contact"].pk
    return [
        ("get", reverse("api:contact-detail", args=[c])),
        ("patch", reverse("api:contact-detail", args=[c])),
        ("put", reverse("api:contact-detail", args=[c])),
        ("post", reverse("api:contact-reveal-phone", args=[c])),
        ("post", reverse("api:contact-erase", args=[c])),
        ("get", reverse("api:persona-detail", args=[objs["persona"].pk])),
        ("patch", reverse("api:persona-detail", args=[objs["persona"].pk])),
        ("delete", reverse("api:persona-detail", args=[objs["persona"].pk])),
        ("get", reverse("api:contactgroup-detail", args=[objs["group"].pk])),
        ("patch", reverse("api:contactgroup-detail", args=[objs["group"].pk])),
        ("delete", reverse("api:contactgroup-detail", args=[objs["group"].pk])),
        ("get", reverse("api:contacttag-detail", args=[objs["tag"].pk])),
        ("patch", reverse("api:contacttag-detail", args=[objs["tag"].pk])),
        ("delete", reverse("api:contacttag-detail", args=[objs["tag"].pk])),
        ("get", reverse("api:contactimport-detail", args=[objs["import"].pk])),
    ]


def test_every_contacts_page_is_404_for_another_agents_object(client, strangers_objects):
    client.force_login(AgentFactory())
    for method, url in page_urls(strangers_objects):
        response = getattr(client, method)(url, {"confirm": "yes", "name": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    contact = Contact.objects.get(pk=strangers_objects["contact"].pk)
    assert contact.erased_at is None and contact.name.startswith("客户")


def test_every_contacts_endpoint_is_404_for_another_agents_object(api_client, strangers_objects):
    api_client.force_authenticate(AgentFactory())
    for method, url in api_urls(strangers_objects):
        response = getattr(api_client, method)(url, {"name": "x"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert Contact.objects.get(pk=strangers_objects["contact"].pk).erased_at is None


def test_lists_leave_out_another_agents_rows(client, api_client, strangers_objects):
    me = AgentFactory()
    mine = ContactFactory(owner=me, name="我的客户")
    client.force_login(me)
    page = client.get(reverse("contacts:list"))
    assert list(page.context["page"].object_list) == [mine]
    api_client.force_authenticate(me)
    endpoints = {
        "contact": "contact",
        "persona": "persona",
        "contactgroup": "group",
        "contacttag": "tag",
        "contactimport": "import",
    }
    for route, key in endpoints.items():
        body = api_client.get(reverse(f"api:{route}-list")).json()
        assert strangers_objects[key].pk not in [row["id"] for row in body["results"]], route
    assert [r["id"] for r in api_client.get(reverse("api:contact-list")).json()["results"]] == [
        mine.pk
    ]


def test_filter_by_another_agents_tag_is_a_400_not_a_leak(api_client, strangers_objects):
    api_client.force_authenticate(AgentFactory())
    response = api_client.get(reverse("api:contact-list"), {"tag": strangers_objects["tag"].pk})
    assert response.status_code == 400
    assert "tag" in response.json()


def test_bulk_action_never_touches_another_agents_contacts(client, strangers_objects):
    me = AgentFactory()
    client.force_login(me)
    victim = strangers_objects["contact"]
    client.post(reverse("contacts:list"), {"action": "stage", "ids": [victim.pk], "stage": "lost"})
    victim.refresh_from_db()
    assert victim.stage == "new_friend"


def test_lead_sees_the_teams_contacts_and_no_one_elses(client, api_client):
    lead = LeadFactory()
    member = AgentFactory(team=lead.team)
    outsider = AgentFactory()
    own = ContactFactory(owner=lead, name="团长自己的")
    teams = ContactFactory(owner=member, name="队员的")
    other = ContactFactory(owner=outsider, name="外人的")

    client.force_login(lead)
    listed = set(client.get(reverse("contacts:list")).context["page"].object_list)
    assert listed == {own, teams}
    assert client.get(reverse("contacts:detail", args=[teams.pk])).status_code == 200
    assert client.get(reverse("contacts:detail", args=[other.pk])).status_code == 404
    # Seeing is not owning: the lead cannot edit, reveal or erase a member's contact.
    assert client.post(reverse("contacts:phone", args=[teams.pk])).status_code == 404
    assert client.get(reverse("contacts:edit", args=[teams.pk])).status_code == 404

    api_client.force_authenticate(lead)
    ids = {row["id"] for row in api_client.get(reverse("api:contact-list")).json()["results"]}
    assert ids == {own.pk, teams.pk}
    assert api_client.get(reverse("api:contact-detail", args=[other.pk])).status_code == 404
    assert (
        api_client.patch(
            reverse("api:contact-detail", args=[teams.pk]), {"name": "x"}, format="json"
        ).status_code
        == 404
    )


def test_curator_cannot_use_contact_pages(client):
    client.force_login(CuratorFactory())
    assert client.get(reverse("contacts:list")).status_code == 403


def test_anonymous_is_sent_to_login_and_api_gives_401(client, api_client):
    assert client.get(reverse("contacts:list")).status_code == 302
    assert api_client.get(reverse("api:contact-list")).status_code == 401
