"""One lead, one warmth on a page: the alerts panel reads the same number as the lead's badge.

An alert keeps the warmth it was raised with (08:00); the home's hot leads show the warmth
now. Read side by side at 20:00 they were two numbers for one lead (48.7 in one panel, 48.6
in the next). Every panel now shows the warmth at the page's one ``now``, rounded once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Alert, AlertKind
from contacts.services import interaction_log
from contacts.services.alerts import alerts_raise_for
from contacts.tests.factories import ContactFactory
from contacts.tests.html import find, find_all, page, text
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db

RAISED = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
SEEN = RAISED + timedelta(hours=12)  # 20:30, the same day
NUMBER = re.compile(r"\d+\.\d")


def _number(element) -> str:
    return NUMBER.search(text(element)).group()


def test_the_alert_and_the_hot_leads_badge_read_the_same_warmth(client):
    agent = AgentFactory()
    lead = ContactFactory(owner=agent, name="陈娜")
    with time_machine.travel(RAISED - timedelta(hours=12), tick=False):
        interaction_log(contact=lead, kind="purchase", by=agent)
        interaction_log(contact=lead, kind="quote", by=agent)
    with time_machine.travel(RAISED, tick=False):
        alerts_raise_for(owner=agent)
    alert = Alert.objects.get(contact=lead, kind=AlertKind.HOT)
    client.force_login(agent)
    with time_machine.travel(SEEN, tick=False):
        doc = page(client.get(reverse("home")).content)
    badge = find(find(doc, "section", aria_labelledby="hot-h"), "span", class_="tier")
    alert_row = find(doc, "li", id=f"alert-{alert.pk}")
    assert _number(badge) == _number(alert_row)
    assert _number(badge) != f"{alert.warmth:.1f}"  # it did cool since 08:30


def test_a_leads_own_alerts_read_the_warmth_now_too(client):
    lead_user = LeadFactory()
    own = ContactFactory(owner=lead_user)
    with time_machine.travel(RAISED - timedelta(hours=12), tick=False):
        interaction_log(contact=own, kind="purchase", by=lead_user)
        interaction_log(contact=own, kind="quote", by=lead_user)
    with time_machine.travel(RAISED, tick=False):
        alerts_raise_for(owner=lead_user)
    alert = Alert.objects.get(contact=own, kind=AlertKind.HOT)
    client.force_login(lead_user)
    with time_machine.travel(SEEN, tick=False):
        home = page(client.get(reverse("home")).content)
        detail = page(client.get(reverse("contacts:detail", args=[own.pk])).content)
    in_panel = find(find(detail, "section", id="warmth-panel"), "span", class_="tier")
    rows = find_all(home, "li", id=f"alert-{alert.pk}")
    assert len(rows) == 1
    assert _number(rows[0]) == _number(in_panel)
