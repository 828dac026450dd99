"""The agent corrects a post the lead sent back, in the browser: the edit page (reached from the
post's card) shows the lead's comment beside the text; saving stores and re-checks the text
and sends the post back for review, through the service the API's edit uses. A block finding
keeps the post sent back, the new text saved and the findings shown. Only the post's agent
gets the page."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text
from scheduler.models import MomentPost, PostStatus, PostTransition
from scheduler.tests.factories import LICENCE
from scheduler.tests.test_pages import this_week_post, week_url

pytestmark = pytest.mark.django_db
S = PostStatus
COMMENT = "开头太像广告 <换成> 自己的故事"
FIXED = "上周陪客户办理赔，聊聊家庭保障怎么配。"
BLOCKED = "这款年金稳赚不赔，快来问我。"


@pytest.fixture
def team():
    lead = LeadFactory(language="en")
    agent = AgentFactory(team=lead.led_team, language="en")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    return {"lead": lead, "agent": agent, "persona": persona}


@pytest.fixture
def sent_back(team):
    return this_week_post(
        team["persona"],
        status=S.REJECTED,
        text="原来的文字",
        review_comment=COMMENT,
        reviewed_by=team["lead"],
    )


def edit_url(post, next_path: str = "") -> str:
    url = reverse("scheduler-post-edit", args=[post.pk])
    return f"{url}?next={next_path}" if next_path else url


def test_the_sent_back_card_on_the_calendar_links_to_the_edit_page(client, team, sent_back):
    scheduled = this_week_post(team["persona"], status=S.SCHEDULED)
    client.force_login(team["agent"])
    page = parse(client.get(week_url("scheduler-week")).content)
    card = find(page, "article", id_=f"post-{sent_back.pk}")
    link = find(
        card, "a", href=f"{edit_url(sent_back)}?{urlencode({'next': week_url('scheduler-week')})}"
    )
    assert text(link) == "Edit text"
    assert text(find(card, "p", cls="post-comment")) == COMMENT
    other = find(page, "article", id_=f"post-{scheduled.pk}")
    assert not [a for a in find_all(other, "a") if "/edit/" in (attr(a, "href") or "")]


def test_the_edit_page_shows_the_leads_comment_beside_the_text(client, team, sent_back):
    client.force_login(team["agent"])
    response = client.get(edit_url(sent_back))
    assert response.status_code == 200
    page = parse(response.content)
    assert text(find(page, "textarea", name="text")) == "原来的文字"
    assert text(find(page, "blockquote", cls="review-comment")) == COMMENT  # escaped, as text
    assert str(team["lead"]) in text(find(page, "aside"))


def test_saving_rechecks_the_text_and_sends_the_post_back_for_review(client, team, sent_back):
    client.force_login(team["agent"])
    back = week_url("scheduler-week")
    response = client.post(edit_url(sent_back), {"text": FIXED, "next": back})
    assert response.status_code == 302 and response.url == back
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text) == (S.PENDING_REVIEW, FIXED)
    assert sent_back.checked_at is not None and not sent_back.has_block
    moves = PostTransition.objects.filter(post=sent_back).values_list("from_status", "to_status")
    assert list(moves) == [(S.REJECTED, S.PENDING_REVIEW)]
    page = parse(client.get(back).content)
    card = find(page, "article", id_=f"post-{sent_back.pk}")
    assert "status-pending_review" in attr(card, "class")
    assert text(find(card, "p", cls="moment-text")) == FIXED


def test_a_block_finding_keeps_the_post_sent_back_with_the_text_saved_and_shown(
    client, team, sent_back
):
    client.force_login(team["agent"])
    response = client.post(edit_url(sent_back), {"text": BLOCKED})
    assert response.status_code == 400
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text, sent_back.has_block) == (S.REJECTED, BLOCKED, True)
    page = parse(response.content)
    assert text(find(page, "textarea", name="text")) == BLOCKED
    alert = text(find(find(page, "form", cls="edit-form"), "p", cls="error", role="alert"))
    block = next(f for f in sent_back.findings if f["severity"] == "block")
    assert "Your text is saved" in alert and block["message"] in alert
    rows = find_all(page, "li", cls="finding-row")
    assert [text(find(row, "strong")) for row in rows] == [f["code"] for f in sent_back.findings]
    assert "R01" in [f["code"] for f in sent_back.findings]
    marks = find_all(find(page, "p", cls="moment-text"), "mark")
    assert "稳赚不赔" in [text(mark) for mark in marks]


def test_a_team_without_approval_schedules_the_corrected_post(client, team, sent_back):
    team_row = team["lead"].led_team
    team_row.posts_need_approval = False
    team_row.save()
    client.force_login(team["agent"])
    assert client.post(edit_url(sent_back), {"text": FIXED}).status_code == 302
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text) == (S.SCHEDULED, FIXED)


def test_empty_text_is_a_field_error_and_changes_nothing(client, team, sent_back):
    client.force_login(team["agent"])
    response = client.post(edit_url(sent_back), {"text": "   "})
    assert response.status_code == 400
    field = find(parse(response.content), "div", cls="has-error")
    assert find(field, "textarea", name="text") is not None
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text) == (S.REJECTED, "原来的文字")


def test_a_post_past_review_cannot_be_edited(client, team):
    post = this_week_post(team["persona"], status=S.SCHEDULED, text="已批准的文字")
    client.force_login(team["agent"])
    back = week_url("scheduler-week")
    for response in (
        client.get(edit_url(post, back)),
        client.post(edit_url(post), {"text": FIXED, "next": back}),
    ):
        assert response.status_code == 302 and response.url == back
    post.refresh_from_db()
    assert (post.status, post.text) == (S.SCHEDULED, "已批准的文字")


def test_another_agents_post_has_no_edit_page(client, team, sent_back):
    client.force_login(AgentFactory())
    assert client.get(edit_url(sent_back)).status_code == 404
    assert client.post(edit_url(sent_back), {"text": FIXED}).status_code == 404
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text) == (S.REJECTED, "原来的文字")


def test_the_lead_sees_the_post_but_does_not_rewrite_it(client, team, sent_back):
    client.force_login(team["lead"])
    assert client.get(edit_url(sent_back)).status_code == 403
    assert client.post(edit_url(sent_back), {"text": FIXED}).status_code == 403
    assert MomentPost.objects.get(pk=sent_back.pk).text == "原来的文字"


def test_the_edit_page_reads_in_chinese(client, team, sent_back):
    agent = team["agent"]
    agent.language = "zh-hans"
    agent.save()
    client.force_login(agent)
    page = parse(client.get(edit_url(sent_back)).content)
    with translation.override("zh-hans"):
        save = translation.gettext("Save and send for review")
    assert save != "Save and send for review"
    assert text(find(page, "button", type="submit", cls="primary")) == save


def test_the_api_edit_with_submit_goes_through_the_same_service(api_client, team, sent_back):
    api_client.force_authenticate(team["agent"])
    url = reverse("api:post-edit", args=[sent_back.pk])
    response = api_client.post(url, {"text": BLOCKED, "submit": True}, format="json")
    assert response.status_code == 400
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text, sent_back.has_block) == (S.REJECTED, BLOCKED, True)
    response = api_client.post(url, {"text": FIXED, "submit": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == S.PENDING_REVIEW
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text) == (S.PENDING_REVIEW, FIXED)


def test_a_held_reminder_on_the_today_page_links_to_the_edit_page(client, team, sent_back):
    from scheduler.models import Reminder, ReminderKind

    Reminder.objects.create(
        owner=team["agent"], post=sent_back, kind=ReminderKind.POST_HELD, text="合规拦截：稳赚"
    )
    client.force_login(team["agent"])
    page = parse(client.get(reverse("scheduler-today")).content)
    card = find(page, "article", id_=f"post-{sent_back.pk}")
    links = [attr(a, "href") or "" for a in find_all(card, "a")]
    assert any(href.startswith(edit_url(sent_back) + "?next=") for href in links)
