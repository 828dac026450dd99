"""The source menu and the list's count come from the contacts themselves
(``selectors_list.source_counts``): every way a contact is written shows at once, and on
PostgreSQL an agent's counts are read from the partial index ``contact_owner_source_active``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Contact
from contacts.selectors_list import source_counts, source_summary
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.plans import index_plan

pytestmark = pytest.mark.django_db


def test_the_counts_follow_every_way_contacts_are_written():
    agent = AgentFactory()
    ContactFactory.create_batch(3, owner=agent, source="转介绍")
    moved = ContactFactory(owner=agent, source="公众号")
    erased = ContactFactory(owner=agent, source="公众号")
    assert dict(source_counts(user=agent)) == {"转介绍": 3, "公众号": 2}
    Contact.objects.filter(pk=moved.pk).update(source="转介绍")
    Contact.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    ContactFactory(owner=AgentFactory(), source="别人的")
    assert dict(source_counts(user=agent)) == {"转介绍": 4}
    summary = source_summary(user=agent)
    assert summary.sources == ["转介绍"] and summary.total == 4


def test_the_lead_counts_the_teams_contacts_only():
    lead = LeadFactory()
    member = AgentFactory(team=lead.team)
    ContactFactory.create_batch(2, owner=member, source="转介绍")
    ContactFactory(owner=lead, source="")
    ContactFactory(owner=AgentFactory(), source="转介绍")
    summary = source_summary(user=lead)
    assert summary.sources == ["转介绍"]  # the empty source counts, and is no menu entry
    assert summary.total == 3


@pytest.mark.postgres
def test_on_postgresql_an_agents_counts_are_read_from_the_partial_index():
    agent = AgentFactory()
    Contact.objects.bulk_create(
        Contact(owner=agent, name=f"客户{i}", source=f"来源{i % 7}") for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    sql, params = source_counts(user=agent).query.sql_with_params()
    plan = index_plan(sql, params)
    assert "contact_owner_source_active" in plan, plan
    assert "Seq Scan" not in plan, plan
