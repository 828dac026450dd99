"""The list page's menus, read through the HTML parser: each viewer's own scope in the
models' order, the bulk form offering only the user's own tags and groups, the source menu,
and the chosen filter kept selected."""

from __future__ import annotations

import pytest

from contacts.models import Contact, ContactGroup, Persona, Tag
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text

pytestmark = pytest.mark.django_db

URL = "/contacts/"


def menu(page, select_id: str) -> list[tuple[str, str]]:
    """The ``(value, text)`` of each option of the ``<select>`` with that id, empty ones out."""
    found = []
    for option in find_all(find(page, "select", id_=select_id), "option"):
        value = attr(option, "value")
        value = text(option) if value is None else value
        if value:
            found.append((value, text(option)))
    return found


def selected(page, select_id: str) -> list[str]:
    options = find_all(find(page, "select", id_=select_id), "option")
    return [text(option) for option in options if attr(option, "selected") is not None]


@pytest.fixture
def team():
    lead = LeadFactory()
    members = [AgentFactory(team=lead.team) for _ in range(2)]
    outsider = AgentFactory()
    for owner in [lead, *members, outsider]:
        # The same names for several owners: ties are broken by id, as the models order.
        for name in ("乙", "甲", "A<b>"):
            TagFactory(owner=owner, name=name)
            GroupFactory(owner=owner, name=name)
        PersonaFactory(owner=owner, nickname="小李-保险规划师")
        PersonaFactory(owner=owner, nickname="小王-保险规划师")
        for source in ("转介绍", "", "公众号", "转介绍"):
            ContactFactory(owner=owner, source=source)
    return lead, members, outsider


def scoped(model, user, label: str, *order: str) -> list[tuple[str, str]]:
    rows = model.objects.visible_to(user).order_by(*order).values_list("id", label)
    return [(str(pk), name) for pk, name in rows]


@pytest.mark.parametrize("who", ["agent", "lead"])
def test_each_viewer_gets_their_own_scope_in_the_models_order(client, team, who):
    lead, members, outsider = team
    user = lead if who == "lead" else members[0]
    client.force_login(user)
    page = parse(client.get(URL).content)
    assert menu(page, "f-tag") == scoped(Tag, user, "name", "name", "id")
    assert menu(page, "f-group") == scoped(ContactGroup, user, "name", "name", "id")
    assert menu(page, "f-persona") == scoped(
        Persona, user, "nickname", "owner_id", "nickname", "id"
    )
    assert str(outsider.contact_tags.first().pk) not in dict(menu(page, "f-tag"))
    # Names are text, never markup.
    assert "A<b>" in dict(menu(page, "f-tag")).values()


def test_the_bulk_form_offers_only_the_users_own_tags_and_groups(client, team):
    lead, _, _ = team
    client.force_login(lead)
    page = parse(client.get(URL).content)
    own_tags = Tag.objects.filter(owner=lead).order_by("name", "id")
    assert menu(page, "b-tag") == [(str(t.pk), t.name) for t in own_tags]
    own_groups = ContactGroup.objects.filter(owner=lead).order_by("name", "id")
    assert menu(page, "b-group") == [(str(g.pk), g.name) for g in own_groups]
    assert selected(page, "b-tag") == ["---------"]


def test_the_source_menu_lists_each_visible_source_once_and_keeps_the_choice(client, team):
    lead, members, _ = team
    ContactFactory(owner=AgentFactory(), source="别队来源")
    erased = ContactFactory(owner=members[1], source="只有已删除")
    Contact.objects.filter(pk=erased.pk).update(erased_at=erased.created)
    client.force_login(lead)
    page = parse(client.get(URL, {"source": "转介绍"}).content)
    assert [value for value, _ in menu(page, "f-source")] == ["公众号", "转介绍"]
    assert selected(page, "f-source") == ["转介绍"]


def test_a_chosen_tag_and_sort_stay_selected(client, team):
    _, members, _ = team
    agent = members[0]
    tag = Tag.objects.filter(owner=agent).order_by("id").last()
    client.force_login(agent)
    agent.language = "en"
    agent.save(update_fields=["language"])
    page = parse(client.get(URL, {"tag": tag.pk, "sort": "name"}).content)
    assert selected(page, "f-tag") == [tag.name]
    assert selected(page, "f-sort") == ["Name"]
