"""The demo histories: a spread of tiers, alerts raised, and a second run adds nothing."""

import pytest
from django.utils import timezone

from contacts import demo as contacts_demo
from contacts import demo_interactions
from contacts.models import Alert, AlertKind, Contact, Interaction
from crm import demo as crm_demo
from crm.models import User

pytestmark = pytest.mark.django_db


def test_demo_histories_give_hot_warm_and_cooling_leads_and_are_idempotent():
    crm_demo.seed()
    contacts_demo.seed()
    demo_interactions.seed()
    count = Interaction.objects.count()
    assert count > 0
    agent = User.objects.get(username="agent1")
    mine = Contact.objects.owned_by(agent).active()
    now = timezone.now()
    assert mine.hot(now).exists()
    assert mine.warm(now).exists()
    assert mine.cold(now).exists()
    assert Alert.objects.filter(owner=agent, kind=AlertKind.HOT).exists()
    assert Alert.objects.filter(owner=agent, kind=AlertKind.COOLING).exists()
    alerts = Alert.objects.count()
    demo_interactions.seed()
    assert Interaction.objects.count() == count
    assert Alert.objects.count() == alerts
