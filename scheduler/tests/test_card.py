"""The post card (``templates/scheduler/_card.html``) read through the HTML parser: the actions
each status offers to the agent and to the lead, escaping, both languages, accessible names,
the preview with its findings and pictures."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from crm.tests.markup import attr, classes, find, find_all, parse, text
from scheduler.models import MomentPost, PostStatus

S = PostStatus
AT = dt.datetime(2025, 3, 25, 0, 11, tzinfo=dt.UTC)
PAGE = "/schedule/team/?start=2025-03-24"

# What each status offers, by hand: (the agent's actions, the lead's).
OFFERS = {
    S.DRAFT: ({"submit", "edit", "cancel", "move"}, {"cancel", "move"}),
    S.PENDING_REVIEW: ({"cancel", "move"}, {"approve", "reject", "cancel", "move"}),
    S.SCHEDULED: ({"cancel", "move"}, {"reject", "cancel", "move"}),
    S.SENT: ({"posted"}, set()),
    S.POSTED: (set(), set()),
    S.REJECTED: ({"submit", "edit", "cancel", "move"}, {"cancel", "move"}),
    S.MISSED: ({"posted"}, set()),
    S.FAILED: ({"cancel", "move"}, {"cancel", "move"}),
    S.CANCELLED: (set(), set()),
}


def a_post(status=S.PENDING_REVIEW, **fields) -> MomentPost:
    values = {
        "pk": 7,
        "title": "家庭保障",
        "text": "聊聊家庭保障怎么配",
        "category": "story",
        "window_name": "commute",
        "scheduled_at": AT,
        "findings": [],
        "image_paths": [],
        **fields,
    }
    return MomentPost(status=status, **values)


def card(post: MomentPost, *, reviewer: bool = False, language: str = "en", **context):
    request = RequestFactory().get(PAGE)
    request.user = AnonymousUser()
    with translation.override(language):
        html = render_to_string(
            "scheduler/_card.html", {"post": post, "reviewer": reviewer, **context}, request
        )
    root = parse(html)
    return root if getattr(root, "name", None) == "article" else find(root, "article")


def offered(article) -> set[str]:
    """The actions the card offers: its forms' and links' last path segment."""
    urls = [attr(form, "action") for form in find_all(article, "form")]
    urls += [attr(a, "href").split("?")[0] for a in find_all(article, "a", cls="link-button")]
    return {url.rstrip("/").rsplit("/", 1)[-1] for url in urls}


@pytest.mark.parametrize("status", list(OFFERS))
def test_each_status_offers_the_agent_and_the_lead_their_actions(status):
    agent_actions, lead_actions = OFFERS[status]
    assert offered(card(a_post(status))) == agent_actions
    assert offered(card(a_post(status), reviewer=True)) == lead_actions


def test_every_form_posts_through_htmx_to_its_card_and_comes_back_to_the_page():
    article = card(a_post(S.PENDING_REVIEW), reviewer=True)
    for form in find_all(article, "form"):
        assert attr(form, "hx-post") == attr(form, "action")
        assert (attr(form, "hx-target"), attr(form, "hx-swap")) == ("#post-7", "outerHTML")
        assert attr(find(form, "input", name="next"), "value") == PAGE
        assert attr(find(form, "input", name="reviewer"), "value") == "1"
        assert find_all(form, "input", name="csrfmiddlewaretoken")
    move = find(article, "a", cls="link-button")
    assert (
        attr(move, "hx-get")
        == attr(move, "href")
        == "/schedule/posts/7/move/?next=" + ("%2Fschedule%2Fteam%2F%3Fstart%3D2025-03-24")
    )
    agents = card(a_post(S.DRAFT))
    assert not find_all(agents, "input", name="reviewer")


def test_cancel_asks_first_inside_a_details():
    confirm = find(card(a_post(S.SCHEDULED)), "details", cls="confirm")
    assert text(find(confirm, "summary")) == "Cancel post"
    assert attr(find(confirm, "form"), "action") == "/schedule/posts/7/cancel/"


def test_title_text_comment_and_error_are_shown_as_text_not_markup():
    post = a_post(
        S.REJECTED,
        title='<b>"粗体"</b> & co',
        text="<img src=x onerror=alert(1)>正文",
        review_comment="<script>换张图</script>",
        last_error="<i>robot</i>",
    )
    article = card(post)
    assert not find_all(article, "b") and not find_all(article, "script")
    assert not find_all(article, "img") and not find_all(article, "i")
    assert text(find(article, "p", cls="post-text")) == '<b>"粗体"</b> & co'
    assert text(find(article, "p", cls="moment-text")) == "<img src=x onerror=alert(1)>正文"
    assert text(find(article, "p", cls="post-comment")) == "<script>换张图</script>"
    assert text(find(article, "p", cls="error")) == "<i>robot</i>"


def test_a_long_title_is_shortened_to_forty_characters():
    article = card(a_post(title="一" * 41))
    assert text(find(article, "p", cls="post-text")) == "一" * 39 + "…"


def test_the_card_speaks_chinese_and_english():
    post = a_post(S.PENDING_REVIEW, has_block=True, findings=[{"code": "R01", "message": "m"}])
    for language, words in (
        ("en", ["Approve", "Send back", "Cancel post", "Move", "Preview", "Compliance block"]),
        ("zh-hans", ["批准", "退回", "取消帖子", "调整时间", "预览", "合规拦截"]),
    ):
        article = card(post, reviewer=True, language=language)
        shown = text(article)
        assert all(word in shown for word in words), (language, shown)
    english = text(card(post, reviewer=True))
    assert "批准" not in english


def test_the_comment_field_and_the_pictures_have_accessible_names():
    post = a_post(S.PENDING_REVIEW, image_paths=["content/7/a.jpg", "content/7/b.jpg"])
    article = card(post, reviewer=True)
    field = find(article, "input", name="comment")
    assert text(find(article, "label", for_=attr(field, "id"))) == "Comment"
    alts = [attr(img, "alt") for img in find_all(article, "img")]
    assert alts == ["家庭保障, picture 1", "家庭保障, picture 2"]
    chinese = card(post, reviewer=True, language="zh-hans")
    assert attr(find_all(chinese, "img")[0], "alt") == "家庭保障，第 1 张图"


def test_the_preview_marks_the_findings_lists_them_and_links_the_pictures():
    findings = [
        {"code": "R05", "severity": "warn", "message": "绝对化用语", "suggestion": "换成事实"},
        {"code": "R01", "severity": "block", "message": "保本", "start": 0, "end": 2},
        {"rule": "a hand-edited row"},
    ]
    post = a_post(
        S.PENDING_REVIEW,
        text="聊聊家庭保障",
        findings=[*findings, "not a dict"],
        has_block=True,
        image_paths=["content/7/a.jpg", 3],
    )
    article = card(post, reviewer=True, preview_open=True)
    preview = find(article, "details", cls="post-preview")
    assert attr(preview, "open") == ""
    mark = find(preview, "mark")
    assert text(mark) == "聊聊" and attr(mark, "data-codes") == "R01"
    rows = find_all(preview, "li", cls="finding-row")
    assert [classes(row) & {"finding-warn", "finding-block"} for row in rows[:2]] == [
        {"finding-warn"},
        {"finding-block"},
    ]
    assert "Suggestion: 换成事实" in text(rows[0])
    (link,) = find_all(preview, "a")
    assert attr(link, "href") == "/media/content/7/a.jpg"
    assert attr(find(link, "img"), "src") == "/media/content/7/thumbs/a.jpg"
    badge = find(article, "span", cls="danger")
    said = text(find(badge, "span", cls="visually-hidden"))
    assert "R05: 绝对化用语" in said and "R01: 保本" in said
    assert attr(badge, "title") == said.removeprefix(": ")
    assert "flagged" in classes(article)


def test_a_post_without_findings_has_no_flag_and_a_closed_preview():
    article = card(a_post(S.SCHEDULED))
    assert not find_all(article, "span", cls="danger") and not find_all(article, "span", cls="warn")
    assert attr(find(article, "details", cls="post-preview"), "open") is None
    assert not find_all(article, "ul", cls="findings")


def test_an_actions_error_is_announced():
    article = card(a_post(), error='Already "approved" <x>')
    alert = find(article, "p", role="alert")
    assert text(alert) == 'Already "approved" <x>'
