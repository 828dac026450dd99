"""``SourceCount``: PostgreSQL's triggers keep a count of each agent's active contacts by
source, whatever writes the contacts. After every kind of write the table must equal a
count of the contacts themselves, with no row left at zero."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from contacts.models import Contact, SourceCount
from contacts.selectors_list import source_summary
from contacts.services.contacts import contact_erase
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def kept() -> dict[tuple[int, str], int]:
    rows = SourceCount.objects.values_list("owner_id", "source", "active")
    return {(owner, source): n for owner, source, n in rows}


def counted() -> dict[tuple[int, str], int]:
    rows = (
        Contact.objects.active().order_by().values_list("owner_id", "source").annotate(n=Count("*"))
    )
    return {(owner, source): n for owner, source, n in rows}


def assert_kept():
    assert kept() == counted()


def test_the_counts_follow_every_way_contacts_are_written():
    a, b = AgentFactory(), AgentFactory()
    first = ContactFactory(owner=a, source="转介绍")
    assert kept() == {(a.pk, "转介绍"): 1}

    Contact.objects.bulk_create(
        [
            Contact(owner=a, name=f"批量{n}", source=s)
            for n, s in enumerate(["公众号", "", "公众号"])
        ]
    )
    assert kept()[(a.pk, "公众号")] == 2 and kept()[(a.pk, "")] == 1
    assert_kept()

    first.source = "活动"
    first.save()
    assert (a.pk, "转介绍") not in kept()  # no row left at zero
    assert_kept()

    first.name = "改名"
    first.save()  # every column in the UPDATE, none of the three changed
    assert_kept()

    Contact.objects.filter(owner=a, source="公众号").update(source="转介绍")
    assert_kept()

    Contact.objects.filter(pk=first.pk).update(owner=b)
    assert kept()[(b.pk, "活动")] == 1 and (a.pk, "活动") not in kept()

    erased = Contact.objects.filter(owner=a, source="转介绍").first()
    contact_erase(contact=erased, actor=a)
    assert kept()[(a.pk, "转介绍")] == 1
    assert_kept()

    # An erased contact deleted, a live one deleted, and a set deleted in one statement.
    Contact.objects.filter(pk=erased.pk).delete()
    Contact.objects.filter(owner=a, source="").delete()
    assert_kept()
    Contact.objects.filter(owner=a).delete()
    assert not any(owner == a.pk for owner, _ in kept())
    assert_kept()


def test_writes_in_plain_sql_and_the_warmth_columns():
    agent = AgentFactory()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_contact (owner_id, name, remark, wechat_id, phone, source, "
            "city, stage, notes, marketing_consent, warmth_ref, erased_at, created, updated) "
            "SELECT %s, 'n' || g, '', '', '', CASE WHEN mod(g, 3) = 0 THEN '' ELSE '展会' END, "
            "'', 'new_friend', '', false, 0, CASE WHEN mod(g, 5) = 0 THEN %s END, %s, %s "
            "FROM generate_series(1, 30) AS g",
            [agent.pk, now, now, now],
        )
    assert kept() == {(agent.pk, "展会"): 16, (agent.pk, ""): 8}
    assert_kept()
    # The warmth recompute's kind of update leaves the counts alone (the trigger is not
    # even fired for these columns).
    Contact.objects.filter(owner=agent).update(warmth_ref=3.5, last_interaction_at=now)
    assert_kept()
    # Un-erasing (an administrator's correction in SQL) counts the contact again.
    Contact.objects.filter(owner=agent, erased_at__isnull=False).update(erased_at=None)
    assert kept()[(agent.pk, "展会")] + kept()[(agent.pk, "")] == 30
    assert_kept()


def test_truncating_the_contacts_empties_the_counts():
    ContactFactory(source="转介绍")
    ContactFactory(source="公众号")
    with connection.cursor() as cursor:
        # The test's transaction holds the foreign keys' deferred checks; TRUNCATE waits for
        # none (as after a commit, where ``flush`` runs it).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {Contact._meta.db_table} CASCADE")
    assert kept() == {}


def test_deleting_an_agent_takes_their_counts_with_their_contacts():
    agent, other = AgentFactory(), AgentFactory()
    for source in ("转介绍", "转介绍", "公众号"):
        ContactFactory(owner=agent, source=source)
    ContactFactory(owner=other, source="转介绍")
    agent.delete()
    assert kept() == {(other.pk, "转介绍"): 1}


def test_the_lead_reads_the_teams_counts_only():
    lead = LeadFactory()
    member = AgentFactory(team=lead.team)
    outsider = AgentFactory()
    for owner, source in ((lead, "活动"), (member, "转介绍"), (member, ""), (outsider, "外队")):
        ContactFactory(owner=owner, source=source)
    summary = source_summary(user=lead)
    visible = Contact.objects.visible_to(lead).active()
    in_order = visible.exclude(source="").order_by("source").values_list("source", flat=True)
    assert summary.sources == list(in_order) and set(summary.sources) == {"活动", "转介绍"}
    assert summary.total == visible.count() == 3
    assert source_summary(user=outsider).total == 1
