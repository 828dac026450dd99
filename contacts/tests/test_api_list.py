"""The contacts API list: each row is the contact as the detail endpoint gives it, and the
filter set runs only when the query string names one of its filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from contacts.models import Stage
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

LIST = "api:contact-list"


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_each_row_is_the_contact_as_its_detail_gives_it(api_client, time_zone):
    agent = AgentFactory(time_zone=time_zone)
    tags = [TagFactory(owner=agent, name=name) for name in ("乙", "甲", "b", "a")]
    groups = [GroupFactory(owner=agent, name=name) for name in ("z", "y")]
    full = ContactFactory(
        owner=agent,
        persona=PersonaFactory(owner=agent),
        tags=tags,
        groups=groups,
        remark="老同学",
        notes="下周约见面",
        city="南京",
        stage=Stage.INTERESTED,
        next_follow_up=dt.date(2026, 12, 1),
        marketing_consent=True,
        last_interaction_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        warmth_ref=6.7e16,
    )
    bare = ContactFactory(owner=agent, phone="", source="")
    abroad = ContactFactory(owner=agent, phone="+14155552671", tags=tags[:1], groups=groups[1:])
    unusual = ContactFactory(owner=agent, phone="+8617912345678")
    api_client.force_login(agent)  # through the middleware: the user's time zone is active
    rows = api_client.get(reverse(LIST)).json()["results"]
    assert {row["id"] for row in rows} == {full.pk, bare.pk, abroad.pk, unusual.pk}
    for row in rows:
        detail = api_client.get(reverse("api:contact-detail", args=[row["id"]])).json()
        assert list(row.items()) == list(detail.items())  # same keys, order and values
    first = next(row for row in rows if row["id"] == full.pk)
    assert sorted(first["tags"]) == sorted(tag.name for tag in tags)
    assert first["groups"] == [groups[1].pk, groups[0].pk]  # by name: y, z


def test_an_empty_page_is_an_empty_list(api_client):
    api_client.force_authenticate(AgentFactory())
    body = api_client.get(reverse(LIST)).json()
    assert body == {"next": None, "previous": None, "results": []}


def test_filters_named_in_the_query_apply_and_bad_values_are_field_errors(api_client):
    agent = AgentFactory()
    api_client.force_authenticate(agent)
    hit = ContactFactory(owner=agent, stage=Stage.CUSTOMER)
    ContactFactory(owner=agent)
    stranger_tag = TagFactory(owner=AgentFactory())
    url = reverse(LIST)
    assert len(api_client.get(url, {"unrelated": "x"}).json()["results"]) == 2
    assert [r["id"] for r in api_client.get(url, {"stage": "customer"}).json()["results"]] == [
        hit.pk
    ]
    for params, field in [
        ({"stage": "nonsense"}, "stage"),
        ({"tier": "lukewarm"}, "tier"),
        ({"tag": stranger_tag.pk}, "tag"),
        ({"follow_up_due": "soon"}, "follow_up_due"),
    ]:
        response = api_client.get(url, params)
        assert response.status_code == 400, params
        assert field in response.json()


def test_a_lead_lists_the_teams_contacts_and_no_one_elses(api_client):
    from crm.tests.factories import LeadFactory

    lead = LeadFactory()
    member = AgentFactory(team=lead.led_team)
    theirs = ContactFactory(owner=member, tags=[TagFactory(owner=member)])
    ContactFactory()  # another team's
    api_client.force_authenticate(lead)
    rows = api_client.get(reverse(LIST)).json()["results"]
    assert [row["id"] for row in rows] == [theirs.pk]
    assert rows[0]["tags"] == [theirs.tags.get().name]


def test_choice_filters_make_their_scoped_queryset_only_when_used(rf):
    from contacts.filters import ContactFilter
    from contacts.models import Contact

    agent = AgentFactory()
    mine, theirs = TagFactory(owner=agent), TagFactory(owner=AgentFactory())
    request = rf.get("/")
    request.user = agent
    unused = ContactFilter({"stage": "customer"}, queryset=Contact.objects.all(), request=request)
    assert unused.is_valid()
    unused.qs  # noqa: B018 - filtering is the act
    assert all(unused.form.fields[name]._queryset is None for name in ("tag", "group", "owner"))
    # Checked and listed from the user's own rows when they are needed.
    used = ContactFilter({"tag": theirs.pk}, queryset=Contact.objects.all(), request=request)
    assert not used.is_valid() and "tag" in used.errors
    listed = [value for value, _ in used.form.fields["tag"].choices if value != ""]
    assert [str(value) for value in listed] == [str(mine.pk)]
