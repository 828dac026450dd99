"""In a real browser: the agent corrects a post the lead sent back, from the calendar.

The card of the sent-back post shows the lead's comment and links to the edit page; the page
shows the comment beside the text; a text that compliance still blocks stays sent back with
the finding shown; the corrected text goes back for review, and the calendar shows it so.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import PostStatus
from scheduler.tests.factories import LICENCE, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = PostStatus
COMMENT = "开头太像广告，换成自己的故事"
FIXED = "上周陪一位客户办理赔，聊聊家庭保障怎么配。"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_agent_corrects_a_sent_back_post_from_the_calendar(page, live_server, login):
    lead = LeadFactory(display_name="组长")
    agent = AgentFactory(team=lead.led_team, display_name="小李")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE, nickname="小李说保险")
    tz = agent.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    monday = today + dt.timedelta(days=7 - today.weekday())
    at = dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(8, 11), tzinfo=tz)
    post = PostFactory(
        persona=persona,
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(minutes=49),
        status=S.REJECTED,
        text="原来的文字",
        review_comment=COMMENT,
        reviewed_by=lead,
    )

    login(agent)
    week = f"{live_server.url}{reverse('scheduler-week')}?start={monday.isoformat()}"
    page.goto(week)
    card = page.locator(f"#post-{post.pk}")
    assert card.locator(".post-comment").inner_text() == COMMENT
    card.get_by_role("link", name=zh("Edit text")).click()

    # The editor, the lead's comment beside it.
    editor = page.get_by_label(zh("Post text"))
    assert editor.input_value() == "原来的文字"
    assert page.locator("aside blockquote.review-comment").inner_text() == COMMENT

    # A text compliance still blocks: kept here, saved, the finding shown.
    editor.fill("这款年金稳赚不赔，快来问我。")
    page.get_by_role("button", name=zh("Save and send for review")).click()
    page.locator("form.edit-form p.error[role=alert]").wait_for()
    assert page.locator("li.finding-row strong").first.inner_text() == "R01"
    assert page.locator(".moment-text mark.finding-block").inner_text() == "稳赚不赔"
    post.refresh_from_db()
    assert (post.status, post.has_block) == (S.REJECTED, True)

    # The corrected text goes back for review, and back to the calendar.
    page.get_by_label(zh("Post text")).fill(FIXED)
    page.get_by_role("button", name=zh("Save and send for review")).click()
    page.wait_for_url(week)
    done = zh("Saved and sent to your team lead for review.")
    page.locator(".messages").get_by_text(done).wait_for()
    card = page.locator(f"#post-{post.pk}")
    assert "status-pending_review" in card.get_attribute("class")
    assert card.locator(".badge").first.inner_text() == zh("Pending review")
    card.locator("details.post-preview summary").click()
    assert card.locator(".moment-text").inner_text() == FIXED
    post.refresh_from_db()
    assert (post.status, post.text, post.has_block) == (S.PENDING_REVIEW, FIXED, False)
