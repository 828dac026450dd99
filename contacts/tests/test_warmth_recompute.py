"""The recompute as a management command and as a Celery task run by a real worker."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import wait_for
from contacts import warmth
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_command_rebuilds_warmth_from_history():
    contact = ContactFactory()
    at = timezone.now() - timedelta(days=3)
    InteractionFactory(contact=contact, at=at)
    out = StringIO()
    call_command("recompute_warmth", stdout=out)
    contact.refresh_from_db()
    assert contact.warmth_ref == pytest.approx(warmth.term(10, at, 14))
    assert contact.last_interaction_at == at
    assert out.getvalue().startswith("1 contacts changed")


def test_command_can_be_scoped_to_an_owner():
    a, b = ContactFactory(), ContactFactory()
    InteractionFactory(contact=a)
    InteractionFactory(contact=b)
    call_command("recompute_warmth", owner=a.owner_id, stdout=StringIO())
    assert Contact.objects.get(pk=a.pk).warmth_ref > 0
    assert Contact.objects.get(pk=b.pk).warmth_ref == 0


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_recompute_task_runs_on_a_real_worker(celery_worker_process):
    from contacts.tasks import warmth_recompute_task

    contact = ContactFactory()
    InteractionFactory(contact=contact)
    worker = celery_worker_process()
    warmth_recompute_task.apply_async(kwargs={"owner_id": contact.owner_id}, queue=worker.queue)
    wait_for(lambda: Contact.objects.get(pk=contact.pk).warmth_ref > 0, timeout=60)
