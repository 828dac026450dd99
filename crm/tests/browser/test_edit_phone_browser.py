"""In a real browser: the contact's edit form shows the number masked; "show full number"
puts the full number into the field (and into the audit log), and saving keeps it."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from contacts.tests.factories import ContactFactory
from crm.models import AuditEvent
from crm.tests.factories import AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_the_edit_form_reveals_the_number_only_when_asked_and_logs_it(page, live_server, login):
    agent = AgentFactory()
    contact = ContactFactory(owner=agent, phone="+8613812345678")
    login(agent)
    page.goto(live_server.url + reverse("contacts:edit", args=[contact.pk]))
    field = page.locator("#id_phone")
    expect(field).to_have_value("138****5678")
    assert "13812345678" not in page.content()

    page.get_by_role("button", name=zh("Show full number")).click()
    expect(field).to_have_value("13812345678")
    assert AuditEvent.objects.filter(action="contact.phone_reveal").count() == 1

    page.locator("form.form-narrow button[type=submit]").click()
    page.wait_for_url(f"**{reverse('contacts:detail', args=[contact.pk])}")
    contact.refresh_from_db()
    assert contact.phone == "+8613812345678"
