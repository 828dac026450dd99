"""In a real browser: an agent's day from the home page.

Signs in, finds today's post under its window, copies the text (read back from the real
clipboard), confirms the post went out, and logs a call on a hot lead with one click. Then the
reminders: a post confirmed on the "today" page leaves it, and the bell counts one fewer.
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from contacts import warmth
from contacts.models import Contact, InteractionCode
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from contacts.warmth.half_life import of_user
from crm.tests.browser.conftest import earlier_today
from crm.tests.factories import AgentFactory
from scheduler import dispatch
from scheduler.models import MomentPost, PostStatus, Reminder
from scheduler.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_TEXT = "周末陪孩子去体检，顺便聊聊少儿重疾险怎么选。详细以条款为准。"


def zh(text) -> str:
    """A msgid (or lazy string, or choice label) as the Chinese interface shows it."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def test_agent_copies_todays_text_marks_it_posted_and_warms_a_lead(page, live_server, login):
    agent = AgentFactory(display_name="小李")
    AgentFactory(display_name="别人")  # another agent's rows must not show
    sent_at = earlier_today(agent)
    post = PostFactory(
        persona__owner=agent,
        text=POST_TEXT,
        status=PostStatus.SENT,
        scheduled_at=sent_at,
        window_ends_at=sent_at + dt.timedelta(hours=1),
        sent_at=sent_at,
    )
    lead = ContactFactory(owner=agent, name="王女士")
    interaction_log(contact=lead, kind="purchase", by=agent)
    interaction_log(contact=lead, kind="message_in", by=agent)  # 48: hot (40 and up)
    before = Contact.objects.get(pk=lead.pk).warmth_ref

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(agent)

    # Today's post, under its window's name in the user's language, with the text to copy.
    today = page.locator("section[aria-labelledby=today-h]")
    assert today.locator("h3.window-name").inner_text() == zh("Commute")
    assert page.get_by_label(zh("Text to copy")).input_value() == POST_TEXT

    copy = today.locator("button.copy-button")
    assert copy.inner_text() == zh("Copy text")
    copy.click()
    page.wait_for_function("b => b.textContent === b.dataset.copied", arg=copy.element_handle())
    assert copy.inner_text() == zh("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == POST_TEXT

    # "Posted": the card is swapped in place (htmx) and the row is posted.
    card = page.locator(f"#post-{post.pk}")
    card.get_by_role("button", name=zh("Posted")).click()
    page.locator(f"#post-{post.pk}.status-posted").wait_for()
    assert card.locator(".badge").first.inner_text() == zh(PostStatus.POSTED.label)
    assert card.get_by_role("button", name=zh("Posted")).count() == 0
    post.refresh_from_db()
    assert post.status == PostStatus.POSTED
    assert post.posted_at is not None

    # One click logs a call on the hot lead: warmth grows by the call's weight.
    hot = page.locator("section[aria-labelledby=hot-h]")
    badge = hot.locator(f"#warmth-{lead.pk}")
    assert badge.locator(".tier").inner_text().startswith("48.0")
    with translation.override("zh-hans"):
        name = translation.gettext("Log %(kind)s for %(name)s") % {
            "kind": InteractionCode.CALL.label,
            "name": lead.display_name,
        }
    hot.get_by_role("button", name=name).click()
    badge.locator("[role=status]").wait_for()
    lead.refresh_from_db()
    assert lead.warmth_ref > before
    assert lead.interactions.filter(kind__code=InteractionCode.CALL, logged_by=agent).count() == 1
    shown = warmth.warmth_now(lead.warmth_ref, timezone.now(), of_user(agent))
    assert shown == pytest.approx(58.0, abs=0.05)
    assert badge.locator(".tier").inner_text().startswith(f"{shown:.1f}")
    assert f"{shown:.1f}" in badge.locator("[role=status]").inner_text()
    assert MomentPost.objects.filter(status=PostStatus.POSTED).count() == 1


def ready_posts(agent, texts: list[str]) -> list[MomentPost]:
    """Posts of ``agent`` due a few minutes ago, sent by the real dispatch: each is now a
    "ready to post" reminder."""
    at = earlier_today(agent)
    posts = [
        PostFactory(
            persona__owner=agent,
            text=text,
            status=PostStatus.SCHEDULED,
            scheduled_at=at,
            window_ends_at=at + dt.timedelta(hours=1),
        )
        for text in texts
    ]
    assert dispatch.dispatch_due().sent == len(posts)
    return posts


def bell_count(page) -> str:
    return page.locator(".bell .bell-count").inner_text()


def test_a_post_marked_posted_leaves_the_today_page_and_the_bell(page, live_server, login):
    agent = AgentFactory()
    first, second = ready_posts(agent, ["第一条要发的朋友圈", "第二条要发的朋友圈"])
    login(agent)
    assert bell_count(page) == "2"

    page.get_by_role("link", name=zh("Ready to post")).first.click()
    ready = page.locator("section.reminder")
    assert ready.count() == 2
    card = page.locator(f"#post-{first.pk}")
    card.get_by_role("button", name=zh("Posted")).click()
    # The first post's reminder card goes at once (no reload); the second's stays.
    page.locator(f"section.reminder:has(#post-{first.pk})").wait_for(state="detached")
    assert ready.count() == 1
    assert page.locator(f"#post-{second.pk}").is_visible()
    first.refresh_from_db()
    assert first.status == PostStatus.POSTED
    page.reload()
    assert ready.count() == 1 and page.locator(f"#post-{first.pk}").count() == 0

    # The bell counts the one reminder left; confirming it from the home page's card takes
    # the bell to 0 without a reload, and it stays there after one.
    page.goto(live_server.url + "/")
    assert bell_count(page) == "1"
    page.locator(f"#post-{second.pk}").get_by_role("button", name=zh("Posted")).click()
    page.locator(f"#post-{second.pk}.status-posted").wait_for()
    page.wait_for_function("() => document.querySelector('.bell .bell-count').textContent === '0'")
    page.reload()
    assert bell_count(page) == "0"
    assert not Reminder.objects.open().exists()


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-script"])
def test_cancelling_a_post_asks_once_first(_browser, live_server, login, script):
    agent = AgentFactory()
    tz = agent.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    monday = today + dt.timedelta(days=7 - today.weekday())
    at = dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(8, 11), tzinfo=tz)
    post = PostFactory(
        persona__owner=agent, status=PostStatus.DRAFT, scheduled_at=at, window_ends_at=at
    )
    context = _browser.new_context(locale="zh-CN", java_script_enabled=script)
    page = context.new_page()
    try:
        login(agent, on=page)
        page.goto(f"{live_server.url}/schedule/?start={monday.isoformat()}")
        card = page.locator(f"#post-{post.pk}")
        confirm = card.get_by_role("button", name=zh("Yes, cancel it"))
        assert not confirm.is_visible()

        # The first click only asks.
        card.get_by_text(zh("Cancel post"), exact=True).click()
        confirm.wait_for()
        question = zh("Cancel this post? It will not go out, and cannot be brought back.")
        assert card.get_by_text(question).is_visible()
        post.refresh_from_db()
        assert post.status == PostStatus.DRAFT

        confirm.click()
        if script:  # the card is re-drawn in place
            page.locator(f"#post-{post.pk}.status-cancelled").wait_for()
        else:  # the form posts and the calendar comes back, without the cancelled post
            page.wait_for_url(f"**/schedule/?start={monday.isoformat()}")
            assert card.count() == 0
        post.refresh_from_db()
        assert post.status == PostStatus.CANCELLED
    finally:
        context.close()
