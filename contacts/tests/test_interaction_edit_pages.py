"""Undoing a quick log, deleting an interaction and correcting its time from the pages.

The contact page's warmth panel offers an undo right after a quick log and, on each timeline
entry, a time correction and a delete; a list row's badge offers the undo too. Only the
contact's owner sees and may use them (anyone else: 404), and warmth follows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts import warmth
from contacts.models import Contact, Interaction
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from contacts.tests.html import attrs, find, page, text
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _warmth(contact: Contact) -> float:
    contact.refresh_from_db()
    return warmth.warmth_now(contact.warmth_ref, NOW, 14)


def _log_on_panel(client, contact, kind="call"):
    return client.post(
        reverse("contacts:interaction-log", args=[contact.pk]),
        {"kind": kind, "panel": "1"},
        **HTMX,
    )


def test_a_quick_log_on_the_contact_page_offers_an_undo_that_takes_it_back(client, english):
    contact = ContactFactory(owner__language="en")
    client.force_login(contact.owner)
    panel = page(_log_on_panel(client, contact, "quote").content)
    logged = Interaction.objects.get(contact=contact)
    undo_url = reverse("contacts:interaction-delete", args=[logged.pk])
    status = find(panel, role="status")
    assert "Logged: Asked for a quote" in text(status)
    undo = find(status, "form", action=undo_url)
    assert undo is not None and attrs(undo)["hx-post"] == undo_url
    assert text(find(undo, "button")) == "Undo"

    response = client.post(undo_url, {"panel": "1"}, **HTMX)
    assert response.status_code == 200
    assert not Interaction.objects.filter(contact=contact).exists()
    assert _warmth(contact) == 0.0
    assert contact.last_interaction_at is None
    after = page(response.content)
    assert text(find(after, role="status")).startswith("Deleted: Asked for a quote")
    assert text(find(after, "span", class_="tier")) == "0.0 · cold"
    assert text(find(after, "dd", id="last-interaction")) == "—"
    assert find(after, "form", action=undo_url) is None  # nothing left to undo


def test_a_quick_log_from_a_list_row_offers_the_undo_in_its_badge(client, english):
    contact = ContactFactory(owner__language="en")
    client.force_login(contact.owner)
    response = client.post(
        reverse("contacts:interaction-log", args=[contact.pk]), {"kind": "call"}, **HTMX
    )
    badge = page(response.content)
    logged = Interaction.objects.get(contact=contact)
    undo_url = reverse("contacts:interaction-delete", args=[logged.pk])
    undo = find(badge, "button", hx_post=undo_url)
    assert undo is not None and text(undo) == "Undo"
    assert attrs(undo)["hx-target"] == f"#warmth-{contact.pk}"

    response = client.post(undo_url, **HTMX)  # no panel: the badge answers
    assert response.status_code == 200
    assert find(page(response.content), id=f"warmth-{contact.pk}") is not None
    assert not Interaction.objects.filter(pk=logged.pk).exists()


def test_each_timeline_entry_can_be_corrected_or_deleted_by_the_owner(client, english):
    contact = ContactFactory(owner__language="en")
    call = interaction_log(
        contact=contact, kind="call", at=NOW - timedelta(hours=2), by=contact.owner
    ).interaction
    client.force_login(contact.owner)
    doc = page(client.get(reverse("contacts:detail", args=[contact.pk])).content)
    time_form = find(doc, "form", action=reverse("contacts:interaction-time", args=[call.pk]))
    field = find(time_form, "input", name="at")
    # Shanghai's wall clock, as the browser's control takes it; never later than now.
    assert attrs(field)["value"] == "2026-11-25T10:00"
    assert attrs(field)["max"] == "2026-11-25T12:00"
    label = find(time_form, "label", for_=attrs(field)["id"])
    assert label is not None and text(label) == "When it happened"
    delete = find(doc, "form", action=reverse("contacts:interaction-delete", args=[call.pk]))
    assert "Delete Call of 2026-11-25 10:00?" in attrs(delete)["hx-confirm"]


def test_a_corrected_time_moves_warmth_and_the_latest_interaction(client, english):
    contact = ContactFactory(owner__language="en")
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    client.force_login(contact.owner)
    url = reverse("contacts:interaction-time", args=[call.pk])
    response = client.post(url, {"at": "2026-11-11T12:00", "panel": "1"}, **HTMX)  # 14 days
    assert response.status_code == 200
    assert Interaction.objects.get(pk=call.pk).at == NOW - timedelta(days=14)
    assert _warmth(contact) == pytest.approx(5.0)
    assert contact.last_interaction_at == NOW - timedelta(days=14)
    panel = page(response.content)
    assert "Time corrected: Call" in text(find(panel, role="status"))
    assert text(find(panel, "span", class_="tier")) == "5.0 · cold"


def test_saving_the_time_unchanged_keeps_the_seconds(client):
    contact = ContactFactory()
    at = NOW - timedelta(hours=1, seconds=37)
    call = interaction_log(contact=contact, kind="call", at=at, by=contact.owner).interaction
    client.force_login(contact.owner)
    url = reverse("contacts:interaction-time", args=[call.pk])
    client.post(url, {"at": "2026-11-25T10:59", "panel": "1"}, **HTMX)  # the minute shown
    assert Interaction.objects.get(pk=call.pk).at == at


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-11-26T12:00", "cannot be in the future"),
        ("yesterday", "Enter a valid date/time"),
        ("", "This field is required"),
    ],
)
def test_a_bad_time_is_a_400_with_the_reason_and_changes_nothing(client, english, value, reason):
    contact = ContactFactory(owner__language="en")
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    client.force_login(contact.owner)
    url = reverse("contacts:interaction-time", args=[call.pk])
    response = client.post(url, {"at": value, "panel": "1"}, **HTMX)
    assert response.status_code == 400
    assert reason in text(find(page(response.content), role="status"))
    assert Interaction.objects.get(pk=call.pk).at == NOW


def test_without_htmx_the_page_comes_back_with_the_message(client, english):
    contact = ContactFactory(owner__language="en")
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    client.force_login(contact.owner)
    response = client.post(reverse("contacts:interaction-delete", args=[call.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:detail", args=[contact.pk])
    assert "Deleted: Call" in text(find(page(response.content), "ul", class_="messages"))


def test_another_agents_interactions_are_a_404_to_delete_or_correct(client):
    contact = ContactFactory()
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    client.force_login(AgentFactory())
    for name, data in [("contacts:interaction-delete", {}), ("contacts:interaction-time", {})]:
        data = {"at": "2026-11-25T09:00"} if name.endswith("time") else data
        assert client.post(reverse(name, args=[call.pk]), data).status_code == 404
    assert Interaction.objects.get(pk=call.pk).at == NOW


def test_a_lead_sees_a_members_timeline_but_cannot_change_it(client):
    lead = LeadFactory()
    contact = ContactFactory(owner=AgentFactory(team=lead.led_team))
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    client.force_login(lead)
    doc = page(client.get(reverse("contacts:detail", args=[contact.pk])).content)
    assert find(doc, "details", class_="interaction-fix") is None
    assert client.post(reverse("contacts:interaction-delete", args=[call.pk])).status_code == 404
    assert Interaction.objects.filter(pk=call.pk).exists()


def test_the_panels_answer_updates_the_latest_interaction_in_the_details(client):
    """The htmx answer carries the details' "last interaction" out of band, so the page shows
    the new time without a reload (the browser test sees it swapped in)."""
    contact = ContactFactory()
    client.force_login(contact.owner)
    detail = page(client.get(reverse("contacts:detail", args=[contact.pk])).content)
    before = find(detail, "dd", id="last-interaction")
    assert text(before) == "—" and "hx-swap-oob" not in attrs(before)

    answer = page(_log_on_panel(client, contact).content)
    swapped = find(answer, "dd", id="last-interaction")
    assert attrs(swapped)["hx-swap-oob"] == "true"
    assert text(swapped) != "—"
    assert "2026" in text(swapped)


@time_machine.travel(warmth.REFERENCE, tick=False)
def test_the_panel_and_its_message_read_one_warmth(client, english):
    """48.65 is 48.7 everywhere: the heading, the chart's summary and the "logged" message
    (which said 48.6 when it rounded the binary 48.6499... with "%.1f")."""
    contact = ContactFactory(owner__language="en", warmth_ref=23.65)
    client.force_login(contact.owner)
    panel = page(_log_on_panel(client, contact, "quote").content)  # 23.65 + 25 at REFERENCE
    heading = text(find(panel, "span", class_="tier"))
    chart = attrs(find(panel, "svg", class_="warmth-chart"))["aria-label"]
    message = text(find(panel, role="status"))
    shown = {
        "heading": re.search(r"\d+\.\d", heading).group(),
        "chart": re.search(r"now (\d+\.\d)", chart).group(1),
        "message": re.search(r"Warmth now (\d+\.\d)", message).group(1),
    }
    assert shown == {"heading": "48.7", "chart": "48.7", "message": "48.7"}
