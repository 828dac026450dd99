"""In a real browser, on a contact's page: a quick log shows at once in the details' "last
interaction", its undo takes it back, and a timeline entry's time is corrected and then
deleted (after one confirmation), all without reloading the page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from contacts.models import Interaction
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from crm.tests.factories import AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_quick_log_undo_correct_and_delete_without_a_reload(page, live_server, login):
    agent = AgentFactory()
    contact = ContactFactory(owner=agent, name="王女士")
    login(agent)
    page.goto(live_server.url + reverse("contacts:detail", args=[contact.pk]))
    latest = page.locator("#last-interaction")
    assert latest.inner_text().strip() == "—"
    # A marker on the window: a reload would lose it.
    page.evaluate("window.notReloaded = true")

    call = zh("Call")
    page.locator("#warmth-panel .quick-log").get_by_role("button", name=f"+ {call}").click()
    page.locator("#warmth-panel [role=status]").wait_for()
    expect(latest).not_to_have_text("—")
    assert str(timezone.localdate().year) in latest.inner_text()
    assert Interaction.objects.filter(contact=contact).count() == 1

    page.locator("#warmth-panel [role=status]").get_by_role("button", name=zh("Undo")).click()
    expect(latest).to_have_text("—")
    assert not Interaction.objects.filter(contact=contact).exists()
    assert page.evaluate("window.notReloaded") is True

    # An entry logged earlier: back-date it by a day, then delete it.
    logged = interaction_log(contact=contact, kind="meeting", by=agent).interaction
    page.reload()
    entry = page.locator("#warmth-panel .timeline li").first
    entry.locator("summary").click()
    earlier = timezone.localtime(logged.at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    entry.locator("input[name=at]").fill(earlier)
    entry.get_by_role("button", name=zh("Save time")).click()
    day_before = timezone.localtime(logged.at - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#warmth-panel .timeline time").first).to_have_text(day_before)
    logged.refresh_from_db()
    assert timezone.localtime(logged.at).strftime("%Y-%m-%dT%H:%M") == earlier

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    entry = page.locator("#warmth-panel .timeline li").first
    entry.locator("summary").click()
    entry.get_by_role("button", name=zh("Delete")).click()
    expect(page.locator("#warmth-panel .timeline")).to_have_count(0)
    assert len(asked) == 1 and zh("Meeting") in asked[0]
    assert not Interaction.objects.filter(pk=logged.pk).exists()
    expect(latest).to_have_text("—")
