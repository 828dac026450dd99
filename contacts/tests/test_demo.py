import pytest

from contacts import demo
from contacts.models import Contact, Persona
from contacts.phones import normalise_phone
from crm import demo as crm_demo

pytestmark = pytest.mark.django_db


def test_demo_gives_each_agent_a_persona_and_60_contacts_and_is_idempotent():
    crm_demo.seed()
    demo.seed()
    demo.seed()
    for username in ["agent1", "agent2", "agent3"]:
        assert Persona.objects.filter(owner__username=username).count() == 1
        contacts = Contact.objects.filter(owner__username=username)
        assert contacts.count() == demo.CONTACTS_PER_AGENT
        assert contacts.filter(tags__isnull=False).distinct().count() > 20
        assert contacts.filter(groups__isnull=False).distinct().count() > 20
    sample = Contact.objects.filter(owner__username="agent1").first()
    assert normalise_phone(sample.phone) == sample.phone  # valid, stored normalised
    agent1 = Persona.objects.get(owner__username="agent1")
    assert agent1.avatar and agent1.checklist_score() == 100
    assert Persona.objects.get(owner__username="agent3").is_nurturing(agent1.updated.date())
