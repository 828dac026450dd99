"""In a real browser, in Chinese and in English: every form with a date or time field opens
showing the stored value and, saved unchanged, leaves it as it was.

Issue 20: the Chinese interface wrote ``value="2026/12/19"`` into ``<input type="date">``;
Chromium drops such a value, so the field showed empty and saving it wiped the date (the
contact's next follow-up, the persona's account date) or could not be sent at all (the
calendar's move form, whose day is required). The admin's date and time fields are text
inputs in the locale's own format, checked here because curators and admins save them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import get_format

from contacts.tests.factories import ContactFactory, PersonaFactory
from content.models import Status
from crm.roles import Role
from crm.services import user_set_role
from crm.tests.factories import AdminFactory, AgentFactory, CuratorFactory
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.tests.factories import LICENCE, ContentItemFactory, PostFactory, default_window

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLLOW_UP = dt.date(2026, 12, 19)
OPENED = dt.date(2024, 3, 5)


@pytest.fixture(params=["zh-hans", "en"])
def language(request) -> str:
    return request.param


def said(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def open_in(page, url: str, language: str) -> None:
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language


def save_and_wait(page, form, button_name: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=button_name, exact=True).click()


def test_contact_form_saved_unchanged_keeps_its_next_follow_up(page, live_server, login, language):
    agent = AgentFactory(language=language)
    contact = ContactFactory(owner=agent, next_follow_up=FOLLOW_UP)
    login(agent)
    open_in(page, live_server.url + reverse("contacts:edit", args=[contact.pk]), language)

    field = page.locator("input[name=next_follow_up]")
    assert field.get_attribute("type") == "date"
    assert field.input_value() == "2026-12-19"
    save_and_wait(page, page.locator("main form.card"), said(language, "Save"))

    assert page.url == live_server.url + reverse("contacts:detail", args=[contact.pk])
    contact.refresh_from_db()
    assert contact.next_follow_up == FOLLOW_UP


def test_contact_page_notes_box_saved_unchanged_keeps_the_next_follow_up(
    page, live_server, login, language
):
    agent = AgentFactory(language=language)
    contact = ContactFactory(owner=agent, next_follow_up=FOLLOW_UP, notes="喜欢周末联系")
    login(agent)
    open_in(page, live_server.url + reverse("contacts:detail", args=[contact.pk]), language)

    form = page.locator("main form:has(input[name=next_follow_up])")
    assert form.locator("input[name=next_follow_up]").input_value() == "2026-12-19"
    save_and_wait(page, form, said(language, "Save"))

    assert page.locator(".message.success").inner_text() == said(language, "Notes saved.")
    contact.refresh_from_db()
    assert (contact.next_follow_up, contact.notes) == (FOLLOW_UP, "喜欢周末联系")


def test_persona_form_saved_unchanged_keeps_the_account_date(page, live_server, login, language):
    agent = AgentFactory(language=language)
    persona = PersonaFactory(owner=agent, account_started=OPENED)
    login(agent)
    open_in(page, live_server.url + reverse("contacts:persona-edit", args=[persona.pk]), language)

    form = page.locator("main form:has(input[name=account_started])")
    assert form.locator("input[name=account_started]").input_value() == "2024-03-05"
    save_and_wait(page, form, said(language, "Save"))

    assert page.locator(".message.success").inner_text() == said(language, "Persona saved.")
    persona.refresh_from_db()
    assert persona.account_started == OPENED


def test_calendar_move_form_opens_on_the_posts_day_and_saved_unchanged_keeps_the_time(
    page, live_server, login, language
):
    agent = AgentFactory(language=language)
    tz = agent.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    monday = today + dt.timedelta(days=7 - today.weekday())
    day = monday + dt.timedelta(days=1)
    at = dt.datetime.combine(day, dt.time(8, 11), tzinfo=tz)
    commute = default_window("commute")
    post = PostFactory(
        persona__owner=agent,
        persona__licence_number=LICENCE,
        status=PostStatus.SCHEDULED,
        window=commute,
        scheduled_at=at,
        window_ends_at=dt.datetime.combine(day, commute.end, tzinfo=tz),
    )
    login(agent)
    week = f"{reverse('scheduler-week')}?start={monday.isoformat()}"
    open_in(page, live_server.url + week, language)

    card = page.locator(f"#post-{post.pk}")
    card.get_by_role("link", name=said(language, "Move"), exact=True).click()
    form = page.locator(f"#post-{post.pk}.moving form")
    form.wait_for()
    assert form.locator("input[name=day]").input_value() == day.isoformat()
    assert form.locator("select[name=window]").input_value() == str(commute.pk)
    save_and_wait(page, form, said(language, "Move"))

    assert page.locator(".message.success").inner_text() == said(language, "Post moved.")
    moved = MomentPost.objects.get(pk=post.pk)
    assert (moved.scheduled_at, moved.window_id, moved.status) == (
        at,
        commute.pk,
        PostStatus.SCHEDULED,
    )


def test_admin_content_item_saved_unchanged_keeps_its_validity(page, live_server, login, language):
    curator = user_set_role(user=CuratorFactory(language=language), role=Role.CURATOR)
    item = ContentItemFactory(valid_from=OPENED, valid_until=FOLLOW_UP)
    login(curator)
    url = reverse("admin:content_contentitem_change", args=[item.pk])
    open_in(page, live_server.url + url, language)

    # The admin's own text inputs, in the locale's input format (2024/03/05 in Chinese).
    with translation.override(language):
        fmt = get_format("DATE_INPUT_FORMATS")[0]
    assert page.locator("input[name=valid_from]").input_value() == f"{OPENED:{fmt}}"
    assert page.locator("input[name=valid_until]").input_value() == f"{FOLLOW_UP:{fmt}}"
    with page.expect_navigation():
        page.locator("input[name=_save]").click()

    assert page.locator(".messagelist .success").count() == 1
    item.refresh_from_db()
    assert (item.valid_from, item.valid_until, item.status) == (OPENED, FOLLOW_UP, Status.APPROVED)


def test_admin_posting_window_saved_unchanged_keeps_its_times(page, live_server, login, language):
    admin = AdminFactory(language=language)
    window = PostingWindow.objects.create(
        name="evening", start=dt.time(19, 15), end=dt.time(20, 45), owner=AgentFactory()
    )
    login(admin)
    url = reverse("admin:scheduler_postingwindow_change", args=[window.pk])
    open_in(page, live_server.url + url, language)

    assert page.locator("input[name=start]").input_value().startswith("19:15")
    assert page.locator("input[name=end]").input_value().startswith("20:45")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()

    assert page.locator(".messagelist .success").count() == 1
    window.refresh_from_db()
    assert (window.start, window.end) == (dt.time(19, 15), dt.time(20, 45))
