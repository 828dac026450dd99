"""Admins edit kind weights as data; changing one re-weighs past interactions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import warmth
from contacts.models import InteractionKind
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_kinds_and_changing_a_weight_reweighs_history(
    client, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from crm.celery import app

    app.conf.task_always_eager = True
    contact = ContactFactory()
    at = timezone.now() - timedelta(days=1)
    interaction_log(contact=contact, kind="call", at=at, by=None)
    client.force_login(AdminFactory())
    assert client.get(reverse("admin:contacts_interactionkind_changelist")).status_code == 200
    kind = InteractionKind.objects.get(code="call")
    url = reverse("admin:contacts_interactionkind_change", args=[kind.pk])
    data = {
        "weight": "12",
        "suggests_stage": "",
        "sets_stage": "",
        "quick": "on",
        "position": "7",
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.warmth_ref == pytest.approx(warmth.term(12, at, 14))
    assert client.get(reverse("admin:contacts_interaction_changelist")).status_code == 200
    assert client.get(reverse("admin:contacts_alert_changelist")).status_code == 200
