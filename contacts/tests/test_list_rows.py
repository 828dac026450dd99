"""The contact list's rows (``templates/contacts/_contact_row.html`` and the warmth badge it
includes), read through the HTML parser: what each row offers to whom, escaping, masked
phones, accessible names and translations."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from contacts.tests.factories import ContactFactory, GroupFactory, TagFactory
from contacts.warmth import shown
from contacts.warmth.selectors import quick_kinds
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, classes, find, find_all, parse, text

pytestmark = pytest.mark.django_db

URL = "/contacts/"


def row_of(page, pk: int):
    """The ``<tr>`` holding contact ``pk``'s checkbox."""
    for row in find_all(page, "tr"):
        if find_all(row, "input", id_=f"c{pk}"):
            return row
    raise AssertionError(f"no row for contact {pk}")


def test_an_agents_own_row_offers_ticking_and_one_click_logs_with_accessible_names(client, english):
    agent = AgentFactory(language="en")
    tag, group = TagFactory(owner=agent, name="VIP"), GroupFactory(owner=agent, name="老客户")
    contact = ContactFactory(
        owner=agent, name="王芳", remark="", phone="+8613812345678", warmth_ref=0.0
    )
    contact.tags.set([tag])
    contact.groups.set([group])
    client.force_login(agent)
    row = row_of(parse(client.get(URL).content), contact.pk)
    box = find(row, "input", id_=f"c{contact.pk}")
    assert (attr(box, "type"), attr(box, "name"), attr(box, "value")) == (
        "checkbox",
        "ids",
        str(contact.pk),
    )
    assert attr(box, "aria-label") == "Select 王芳"
    link = find(row, "a")
    assert attr(link, "href") == reverse("contacts:detail", args=[contact.pk])
    assert text(link) == "王芳"
    assert "138****5678" in text(row) and "+8613812345678" not in text(row)
    assert [text(chip) for chip in find_all(row, "span", cls="chip")] == ["VIP", "老客户"]
    badge = find(row, "span", cls="warmth-badge", id_=f"warmth-{contact.pk}")
    assert text(find(badge, "span", cls="tier")) == f"{shown(0.0)} · cold"
    buttons = find_all(badge, "button", cls="quick")
    kinds = quick_kinds()
    assert len(buttons) == len(kinds) > 0
    log_url = reverse("contacts:interaction-log", args=[contact.pk])
    for button, kind in zip(buttons, kinds, strict=True):
        assert attr(button, "hx-post") == log_url
        assert attr(button, "hx-vals") == f'{{"kind": "{kind.code}"}}'
        assert attr(button, "hx-target") == f"#warmth-{contact.pk}"
        with translation.override("en"):
            assert attr(button, "aria-label") == f"Log {kind.label} for 王芳"


def test_a_lead_sees_a_members_row_with_its_owner_and_no_log_buttons(client):
    lead = LeadFactory()
    member = AgentFactory(team=lead.team, display_name="李娜")
    theirs = ContactFactory(owner=member)
    mine = ContactFactory(owner=lead)
    client.force_login(lead)
    page = parse(client.get(URL).content)
    their_row = row_of(page, theirs.pk)
    assert "李娜" in [text(span) for span in find_all(their_row, "span", cls="muted")]
    assert find_all(their_row, "button") == []
    assert find_all(row_of(page, mine.pk), "button", cls="quick")


def test_names_remarks_tags_and_sources_are_text_never_markup(client):
    agent = AgentFactory()
    evil = "<script>alert(1)</script>"
    contact = ContactFactory(owner=agent, name=evil, remark="<b>备注</b>", source="<i>来源</i>")
    contact.tags.set([TagFactory(owner=agent, name="<em>标签</em>")])
    client.force_login(agent)
    row = row_of(parse(client.get(URL).content), contact.pk)
    for tag in ("script", "b", "i", "em"):
        assert not find_all(row, tag), tag
    assert text(find(row, "a")) == "<b>备注</b>"
    assert evil in [text(span) for span in find_all(row, "span", cls="muted")]
    assert "<em>标签</em>" in text(row) and "<i>来源</i>" in text(row)


def test_the_rows_speak_the_users_language(client):
    agent = AgentFactory(language="zh-hans")
    contact = ContactFactory(owner=agent, name="王芳", remark="", warmth_ref=0.0)
    client.force_login(agent)
    row = row_of(parse(client.get(URL).content), contact.pk)
    assert attr(find(row, "input", id_=f"c{contact.pk}"), "aria-label") == "选择 王芳"
    tier = find(row, "span", cls="tier")
    assert "tier-cold" in classes(tier) and text(tier).endswith("冷")
    assert attr(tier, "title") == "热度"
