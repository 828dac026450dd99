"""The list page's menus (``selectors_list.list_options``, plain SQL around each model's
``visible_to``) and its source summary hold what the ORM's scoped queries hold, in the models'
order, for every kind of viewer."""

from __future__ import annotations

import pytest

from contacts.models import Contact, ContactGroup, Persona, Tag
from contacts.selectors_list import contact_labels, list_extras, list_options, source_summary
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from contacts.warmth.selectors import quick_kinds
from crm.tests.factories import AdminFactory, AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db


def expected(user) -> dict[str, list[tuple[int, str, int]]]:
    return {
        "tags": list(
            Tag.objects.visible_to(user)
            .order_by("name", "id")
            .values_list("id", "name", "owner_id")
        ),
        "groups": list(
            ContactGroup.objects.visible_to(user)
            .order_by("name", "id")
            .values_list("id", "name", "owner_id")
        ),
        "personas": list(
            Persona.objects.visible_to(user)
            .order_by("owner_id", "nickname", "id")
            .values_list("id", "nickname", "owner_id")
        ),
        "kinds": [(kind.pk, kind.code, 0) for kind in quick_kinds()],
    }


@pytest.fixture
def team():
    lead = LeadFactory()
    members = [AgentFactory(team=lead.team) for _ in range(2)]
    outsider = AgentFactory()
    for owner in [lead, *members, outsider]:
        # The same names for several owners: ties are broken by id, as the models order.
        for name in ("乙", "甲", "A"):
            TagFactory(owner=owner, name=name)
            GroupFactory(owner=owner, name=name)
        PersonaFactory(owner=owner, nickname="小李-保险规划师")
        PersonaFactory(owner=owner, nickname="小王-保险规划师")
        for source in ("转介绍", "", "公众号", "转介绍"):
            ContactFactory(owner=owner, source=source)
    return lead, members, outsider


def test_an_agent_sees_their_own_options_in_the_models_order(team):
    _, members, _ = team
    found = list_options(user=members[0])
    assert found == expected(members[0])
    assert {owner for _, _, owner in found["tags"]} == {members[0].pk}
    assert found["kinds"]  # the one-click kinds are nobody's rows: everyone gets them


def test_a_lead_sees_the_teams_options_and_no_one_elses(team):
    lead, members, outsider = team
    found = list_options(user=lead)
    assert found == expected(lead)
    for menu in ("tags", "groups", "personas"):
        assert {owner for _, _, owner in found[menu]} == {lead.pk, *(m.pk for m in members)}
    assert outsider.pk not in {owner for _, _, owner in found["personas"]}


def test_a_user_who_sees_no_ones_rows_gets_the_kinds_only(team):
    _, members, _ = team
    member = members[0]
    member.is_active = False
    member.save(update_fields=["is_active"])
    found = list_options(user=member)
    assert found == {"tags": [], "groups": [], "personas": [], "kinds": expected(member)["kinds"]}


def test_the_source_summary_counts_every_visible_active_contact(team):
    lead, members, _ = team
    erased = Contact.objects.filter(owner=members[1], source="公众号").get()
    Contact.objects.filter(pk=erased.pk).update(erased_at=erased.created)
    summary = source_summary(user=lead)
    assert summary.total == Contact.objects.visible_to(lead).active().count() == 11
    assert summary.sources == list(
        Contact.objects.visible_to(lead)
        .active()
        .exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()
    )


def test_each_viewer_gets_their_own_scope_from_the_statements_compiled_once(team):
    """The menus' and summary's statements are compiled once per kind of viewer: whichever
    viewer came first, every later one gets their own rows, two leads of two teams included,
    and an administrator and an inactive member theirs."""
    lead, members, outsider = team
    other_lead = LeadFactory()
    AgentFactory(team=other_lead.team)
    TagFactory(owner=other_lead, name="别队")
    ContactFactory(owner=other_lead, source="别队来源")
    admin = AdminFactory()
    quitter = AgentFactory(team=lead.team, is_active=False)
    viewers = [lead, members[0], other_lead, outsider, admin, quitter, members[1], lead]
    for viewer in viewers:
        assert list_options(user=viewer) == expected(viewer)
        summary = source_summary(user=viewer)
        visible = Contact.objects.visible_to(viewer).active()
        assert summary.total == visible.count()
        assert summary.sources == list(
            visible.exclude(source="")
            .order_by("source")
            .values_list("source", flat=True)
            .distinct()
        )
    assert "别队来源" in source_summary(user=other_lead).sources
    assert "别队来源" not in source_summary(user=lead).sources


def test_the_list_extras_are_what_each_read_gives_on_its_own(team):
    lead, members, _ = team
    contact = Contact.objects.filter(owner=members[0]).first()
    contact.tags.add(Tag.objects.filter(owner=members[0]).first())
    ids = list(Contact.objects.visible_to(lead).values_list("pk", flat=True))
    summary, options, labels = list_extras(user=lead, contact_ids=ids)
    assert summary == source_summary(user=lead)
    assert options == list_options(user=lead)
    assert labels == contact_labels(ids) and contact.pk in labels
    assert list_extras(user=lead, contact_ids=[])[2] == {}


def test_the_labels_are_each_contacts_tags_and_groups_by_name_then_id(team):
    _, members, _ = team
    owner = members[0]
    tagged, grouped, bare = ContactFactory.create_batch(3, owner=owner)
    tags = Tag.objects.filter(owner=owner)  # 乙, 甲, A: created out of name order
    groups = ContactGroup.objects.filter(owner=owner)
    first_group = groups.order_by("id")[:1]
    tagged.tags.set(tags)
    tagged.groups.set(first_group)
    grouped.groups.set(groups)

    def by_name(rows) -> list[tuple[int, str]]:  # as the database sorts them
        return list(rows.order_by("name", "id").values_list("id", "name"))

    assert contact_labels([tagged.pk, grouped.pk, bare.pk]) == {
        tagged.pk: (by_name(tags), by_name(groups.filter(pk__in=first_group))),
        grouped.pk: ([], by_name(groups)),
    }
    assert contact_labels([]) == {}


@pytest.mark.postgres
def test_the_list_extras_take_one_round_trip_on_postgresql(team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead, _, _ = team
    ids = list(Contact.objects.visible_to(lead).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        list_extras(user=lead, contact_ids=ids)
    assert len(queries) == 1
