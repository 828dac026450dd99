"""In a real browser: a team lead reviews next week on the team calendar.

Sends one post back with a comment (the card is swapped in place), then approves the rest of
the week with one button; the agent outside the team keeps their post in review.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.tests.factories import LICENCE, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = PostStatus


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def next_week_posts(persona, days: range) -> list[MomentPost]:
    """Posts in review at 08:11 local (the commute window) on the given days of next week."""
    tz = persona.owner.tzinfo
    today = timezone.localdate(timezone.now(), tz)
    monday = today + dt.timedelta(days=7 - today.weekday())
    posts = []
    for offset in days:
        at = dt.datetime.combine(monday + dt.timedelta(days=offset), dt.time(8, 11), tzinfo=tz)
        posts.append(
            PostFactory(
                persona=persona,
                scheduled_at=at,
                window_ends_at=at + dt.timedelta(minutes=49),
                status=S.PENDING_REVIEW,
            )
        )
    return posts


def test_lead_sends_one_back_with_a_comment_and_approves_the_week(page, live_server, login):
    lead = LeadFactory(display_name="组长")
    agent = AgentFactory(team=lead.led_team, username="agent-a", display_name="小李")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    kept, *rest = next_week_posts(persona, range(4))
    outsider = next_week_posts(PersonaFactory(owner=AgentFactory(), licence_number=LICENCE), [1])

    login(lead)
    monday = timezone.localtime(kept.scheduled_at, lead.tzinfo).date()
    monday -= dt.timedelta(days=monday.weekday())
    page.goto(f"{live_server.url}{reverse('scheduler-team')}?start={monday.isoformat()}")
    section = page.locator("section.card", has=page.get_by_role("heading", name="小李"))
    assert section.locator("article.post.status-pending_review").count() == 4
    assert page.locator(f"#post-{outsider[0].pk}").count() == 0  # another team's post

    # Send one back: the comment is required and shows on the swapped card.
    card = page.locator(f"#post-{kept.pk}")
    card.get_by_label(zh("Comment")).fill("开头太像广告，换成自己的故事")
    card.get_by_role("button", name=zh("Send back")).click()
    page.locator(f"#post-{kept.pk}.status-rejected").wait_for()
    assert card.locator(".post-comment").inner_text() == "开头太像广告，换成自己的故事"

    # Approve the week: every post still in review, with the lead's comment.
    page.locator("#week-comment").fill("本周内容很好")
    page.locator("form[action$='approve-week/'] button[type=submit]").click()
    page.wait_for_load_state()
    with translation.override("zh-hans"):
        done = translation.ngettext("Approved %(n)s post.", "Approved %(n)s posts.", 3) % {"n": 3}
    page.locator(".messages").get_by_text(done).wait_for()
    assert section.locator("article.post.status-scheduled").count() == 3
    assert section.locator("article.post.status-pending_review").count() == 0

    kept.refresh_from_db()
    assert (kept.status, kept.review_comment, kept.reviewed_by) == (
        S.REJECTED,
        "开头太像广告，换成自己的故事",
        lead,
    )
    for post in rest:
        post.refresh_from_db()
        assert (post.status, post.review_comment, post.reviewed_by) == (
            S.SCHEDULED,
            "本周内容很好",
            lead,
        )
    outsider[0].refresh_from_db()
    assert outsider[0].status == S.PENDING_REVIEW


def test_lead_moves_a_post_to_the_bedtime_window_of_another_day(page, live_server, login):
    lead = LeadFactory(display_name="组长")
    agent = AgentFactory(team=lead.led_team, display_name="小王")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    (post,) = next_week_posts(persona, [1])  # Tuesday, commute
    bedtime = PostingWindow.objects.get(name="bedtime", owner=None, team=None)

    login(lead)
    monday = timezone.localtime(post.scheduled_at, lead.tzinfo).date() - dt.timedelta(days=1)
    page.goto(f"{live_server.url}{reverse('scheduler-team')}?start={monday.isoformat()}")
    card = page.locator(f"#post-{post.pk}")
    card.get_by_role("link", name=zh("Move")).click()
    # htmx swaps the card for the form, in place.
    form = page.locator(f"#post-{post.pk} form.move-form")
    form.wait_for()
    thursday = monday + dt.timedelta(days=3)
    form.get_by_label(zh("Day")).fill(thursday.isoformat())
    form.get_by_label(zh("Window")).select_option(str(bedtime.pk))
    form.get_by_role("button", name=zh("Move")).click()
    page.wait_for_load_state()
    page.locator(".messages").get_by_text(zh("Post moved.")).wait_for()

    # Back on the same week, the card sits in the bedtime row under Thursday.
    section = page.locator("section.card", has=page.get_by_role("heading", name="小王"))
    row = section.locator("tr", has=page.get_by_role("rowheader", name=zh("Bedtime")))
    cells = row.locator("td")
    assert cells.nth(3).locator(f"#post-{post.pk}").count() == 1
    post.refresh_from_db()
    local = post.scheduled_at.astimezone(agent.tzinfo)
    assert (post.window_name, local.date()) == ("bedtime", thursday)


def test_lead_reads_the_post_and_its_findings_before_approving(page, live_server, login):
    """The review queue on the lead home shows the post as the customer will see it, the
    span the check found marked, and each finding's rule and reason; the warning badge names
    it. Then the lead approves from the same card."""
    from scheduler.services import post_check

    lead = LeadFactory(display_name="组长")
    agent = AgentFactory(team=lead.led_team, display_name="小李")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    (post,) = next_week_posts(persona, [2])
    post.text = "这是最好的家庭保障，<b>别错过</b>"
    post_check(post=post)
    post.save()
    (finding,) = post.findings
    assert finding["code"] == "R05" and finding["matched"] == "最好"

    login(lead)
    card = page.locator(f".review-item #post-{post.pk}")
    preview = card.locator("details.post-preview")
    # Open, as the customer will read it: the markup in the text is text.
    assert preview.locator(".moment-text").inner_text() == post.text
    mark = preview.locator("mark.finding-warn")
    assert mark.inner_text() == "最好" and mark.get_attribute("data-codes") == "R05"
    row = preview.locator("li.finding-row")
    assert row.locator("strong").inner_text() == "R05"
    assert finding["message"] in row.inner_text() and "“最好”" in row.inner_text()
    badge = card.locator(".badge.warn")
    assert finding["message"] in badge.get_attribute("title")
    assert page.get_by_title(finding["message"], exact=False).count() == 1

    card.get_by_role("button", name=zh("Approve")).click()
    page.locator(f"#post-{post.pk}.status-scheduled").wait_for()
    post.refresh_from_db()
    assert (post.status, post.reviewed_by) == (S.SCHEDULED, lead)
