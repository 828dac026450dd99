"""``selectors.contact_hottest``: a team's warmest leads, the same rows as ``visible_to``'s
``hottest``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contacts import selectors
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AdminFactory, AgentFactory, CuratorFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """Two teams; each member owns contacts of known warmth, the other team's are hotter."""
    lead = LeadFactory()
    team = lead.team
    a1 = AgentFactory(team=team)
    a2 = AgentFactory(team=team)
    other_lead = LeadFactory()
    b1 = AgentFactory(team=other_lead.team)
    rows = {
        lead: [30.0, 5.0],
        a1: [50.0, 40.0, 40.0, 1.0],  # a tie at 40: the newer contact comes first
        a2: [45.0, 20.0, 0.0],
        other_lead: [99.0],
        b1: [98.0, 97.0],
    }
    made = {
        owner: [ContactFactory(owner=owner, warmth_ref=ref) for ref in refs]
        for owner, refs in rows.items()
    }
    # Erased contacts never show, however warm their stored score.
    ContactFactory(owner=a1, warmth_ref=500.0, erased_at=timezone.now())
    return {"lead": lead, "a1": a1, "a2": a2, "other_lead": other_lead, "b1": b1, "made": made}


def _plain(user, n):
    return [c.pk for c in Contact.objects.visible_to(user).active().hottest(n)]


def test_a_lead_gets_the_warmest_of_their_own_and_their_teams_contacts(company):
    made, lead, a1, a2 = company["made"], company["lead"], company["a1"], company["a2"]
    got = [c.pk for c in selectors.contact_hottest(user=lead, n=5)]
    expected = [
        made[a1][0].pk,  # 50
        made[a2][0].pk,  # 45
        made[a1][2].pk,  # 40, newer
        made[a1][1].pk,  # 40, older
        made[lead][0].pk,  # 30
    ]
    assert got == expected
    assert got == _plain(lead, 5)


@pytest.mark.parametrize("who", ["lead", "a1", "a2", "other_lead", "b1", "admin", "curator"])
@pytest.mark.parametrize("n", [1, 3, 50])
def test_same_rows_and_order_as_visible_to_for_every_role(company, who, n):
    user = {"admin": AdminFactory, "curator": CuratorFactory}.get(who, lambda: company[who])()
    got = [c.pk for c in selectors.contact_hottest(user=user, n=n)]
    assert got == _plain(user, n)
    if who == "curator":
        assert got == []
    else:
        assert got, "every other role sees some contacts here"


def test_an_agent_never_gets_their_leads_or_teammates_contacts(company):
    a1, made = company["a1"], company["made"]
    got = selectors.contact_hottest(user=a1, n=50)
    assert {c.owner_id for c in got} == {a1.pk}
    assert [c.pk for c in got] == [made[a1][i].pk for i in (0, 2, 1, 3)]


def test_a_lead_reads_in_one_query_whatever_the_team_size(company, django_assert_num_queries):
    lead = company["lead"]
    with django_assert_num_queries(1):
        selectors.contact_hottest(user=lead, n=3)
    for _ in range(3):
        AgentFactory(team=lead.team)
    for member in lead.team.members.all():
        ContactFactory(owner=member, warmth_ref=7.0)
    with django_assert_num_queries(1):
        got = selectors.contact_hottest(user=lead, n=3)
    assert [c.pk for c in got] == _plain(lead, 3)


def test_a_deactivated_members_contacts_stay_in_as_visible_to_has_them(company):
    lead, a2, made = company["lead"], company["a2"], company["made"]
    a2.is_active = False
    a2.save(update_fields=["is_active"])
    got = [c.pk for c in selectors.contact_hottest(user=lead, n=3)]
    assert got == _plain(lead, 3)
    assert made[a2][0].pk in got  # 45, second warmest of the team


def test_an_inactive_lead_gets_nothing(company):
    lead = company["lead"]
    lead.is_active = False
    lead.save(update_fields=["is_active"])
    assert selectors.contact_hottest(user=lead, n=5) == []
