"""The lead reviews what the customer will see: on the team week and in the lead home's review
queue each card carries the post's text (escaped), its pictures as thumbnails, and each
compliance finding with its rule, severity, the text it found and why; a warning badge names
what it warns about. Read through an HTML parser, in constant queries."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from contacts.tests.factories import PersonaFactory
from content.services import content_image_add
from content.tests.factories import image_bytes
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, classes, find, find_all, parse, text
from scheduler.models import PostStatus
from scheduler.services import post_check
from scheduler.tests.factories import LICENCE, ContentItemFactory
from scheduler.tests.test_pages import this_week_post, week_url

pytestmark = pytest.mark.django_db
S = PostStatus

# R05 (an absolute term, a warning in a story) and R01 (promised returns, a block), from the
# starter rules the data migration wrote; markup in the text that must stay text.
WARNED = "这是最好的<b>家庭</b>保障 & 规划"
BLOCKED = "这款年金稳赚不赔，<script>x</script>"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team():
    lead = LeadFactory(language="en")
    agent = AgentFactory(team=lead.led_team)
    return {
        "lead": lead,
        "agent": agent,
        "persona": PersonaFactory(owner=agent, licence_number=LICENCE),
    }


def with_pictures(n: int) -> tuple[list[str], list[str]]:
    """``n`` real library pictures (Pillow, through the image pipeline): their names and
    their thumbnails' names as stored."""
    item = ContentItemFactory()
    images = [
        content_image_add(item=item, file=io.BytesIO(image_bytes(size=(80 + i, 60))))
        for i in range(n)
    ]
    return [image.image.name for image in images], [image.thumbnail.name for image in images]


def checked_post(persona, text: str, **fields):
    """A post of next week with ``text`` checked by the real compliance engine."""
    post = this_week_post(persona, text=text, **fields)
    post_check(post=post)
    post.save()
    assert post.findings, "the starter rules should find something in the test's text"
    return post


def assert_shows_the_post(card, post, thumbnails: list[str]) -> None:
    """``card`` (an ``<article>``) holds the post's text as text, its thumbnails linked to
    the pictures, and each finding with its rule, severity, the span marked and quoted, and
    the reason; its badge names the findings."""
    preview = find(card, "details", cls="post-preview")
    body = find(preview, "p", cls="moment-text")
    assert text(body) == post.text  # escaped: "<b>" is text, not markup
    assert not find_all(body, "b") and not find_all(body, "script")
    marks = find_all(body, "mark")
    for finding in post.findings:
        assert finding["code"] in (attr(m, "data-codes") for m in marks)
        assert finding["matched"] in (text(m) for m in marks)
        assert post.text[finding["start"] : finding["end"]] == finding["matched"]
    rows = find_all(preview, "li", cls="finding-row")
    assert len(rows) == len(post.findings)
    for row, finding in zip(rows, post.findings, strict=True):
        assert text(find(row, "strong")) == finding["code"]
        assert f"finding-{finding['severity']}" in classes(row)
        assert finding["matched"] in text(row) and finding["message"] in text(row)
    media = settings.MEDIA_URL
    tiles = find_all(preview, "img")
    assert [attr(img, "src") for img in tiles] == [media + name for name in thumbnails]
    links = [a for grid in find_all(preview, "div", cls="moment-grid") for a in find_all(grid, "a")]
    assert [attr(a, "href") for a in links] == [media + path for path in post.image_paths]
    badge = next(b for b in find_all(card, "span", cls="badge") if classes(b) & {"warn", "danger"})
    for finding in post.findings:
        assert finding["message"] in attr(badge, "title")
        assert finding["message"] in text(find(badge, "span", cls="visually-hidden"))


def test_team_week_cards_show_text_pictures_and_each_finding(client, team):
    paths, thumbnails = with_pictures(3)
    warned = checked_post(team["persona"], WARNED, image_paths=paths, status=S.PENDING_REVIEW)
    blocked = checked_post(team["persona"], BLOCKED, status=S.PENDING_REVIEW)
    client.force_login(team["lead"])
    page = parse(client.get(week_url("scheduler-team")).content)
    warned_card = find(page, "article", id_=f"post-{warned.pk}")
    assert_shows_the_post(warned_card, warned, thumbnails)
    assert [f["severity"] for f in warned.findings] == ["warn"]
    blocked_card = find(page, "article", id_=f"post-{blocked.pk}")
    assert_shows_the_post(blocked_card, blocked, [])
    assert "block" in {f["severity"] for f in blocked.findings}
    assert "flagged" in classes(blocked_card)


def test_the_review_queue_shows_each_post_open_with_its_findings(client, team):
    paths, thumbnails = with_pictures(9)
    post = checked_post(team["persona"], WARNED, image_paths=paths, status=S.PENDING_REVIEW)
    client.force_login(team["lead"])
    page = parse(client.get(reverse("home")).content)
    item = find(page, "div", cls="review-item")
    card = find(item, "article", id_=f"post-{post.pk}")
    assert_shows_the_post(card, post, thumbnails)
    assert attr(find(card, "details", cls="post-preview"), "open") == ""  # shown unfolded
    assert "moment-grid-9" in classes(find(card, "div", cls="moment-grid"))


def test_a_post_without_findings_shows_its_text_and_no_badge(client, team):
    post = this_week_post(team["persona"], text="今天聊聊<i>家庭</i>保障", status=S.PENDING_REVIEW)
    client.force_login(team["lead"])
    card = find(
        parse(client.get(week_url("scheduler-team")).content), "article", id_=f"post-{post.pk}"
    )
    assert text(find(card, "p", cls="moment-text")) == "今天聊聊<i>家庭</i>保障"
    assert not find_all(card, "li", cls="finding-row")
    assert not [b for b in find_all(card, "span", cls="badge") if classes(b) & {"warn", "danger"}]


def test_the_lead_home_names_the_window_in_the_users_language(client, team):
    lead = team["lead"]
    lead.language = "zh-hans"
    lead.save()
    this_week_post(team["persona"], status=S.PENDING_REVIEW, window_name="commute")
    client.force_login(lead)
    page = parse(client.get(reverse("home")).content)
    line = text(find(find(page, "div", cls="review-item"), "p", cls="muted"))
    with translation.override("zh-hans"):
        label = translation.gettext("Commute")
    assert label != "Commute" and line.endswith(label)
    assert "commute" not in line


def grow(team, n: int) -> None:
    paths, _ = with_pictures(2)
    for i in range(n):
        agent = AgentFactory(team=team["lead"].led_team)
        persona = PersonaFactory(owner=agent, licence_number=LICENCE)
        checked_post(
            persona, WARNED if i % 2 else BLOCKED, image_paths=paths, status=S.PENDING_REVIEW
        )


def test_team_week_with_findings_and_pictures_reads_in_constant_queries(
    client, team, django_assert_max_num_queries
):
    client.force_login(team["lead"])
    grow(team, 1)
    with django_assert_max_num_queries(12) as small:
        client.get(week_url("scheduler-team"))
    grow(team, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = parse(client.get(week_url("scheduler-team")).content)
    assert len(find_all(page, "li", cls="finding-row")) == 9
    assert len(find_all(page, "img")) == 18


def test_lead_home_with_findings_and_pictures_reads_in_constant_queries(
    client, team, django_assert_max_num_queries
):
    client.force_login(team["lead"])
    grow(team, 1)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("home"))
    grow(team, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = parse(client.get(reverse("home")).content)
    assert len(find_all(page, "li", cls="finding-row")) == 9
