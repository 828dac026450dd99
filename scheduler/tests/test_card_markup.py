"""The calendar's markup, pinned: cards and week grids drawn for representative posts must stay
byte for byte what ``golden/*.html`` hold (recorded from the renderer before it was made
cheaper). Post ids, which the database hands out, and the CSRF token are written as
placeholders; everything else is compared as drawn.
"""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.cards import CardKit, render_card
from scheduler.models import MomentPost, PostStatus
from scheduler.tests.factories import LICENCE, PostFactory, default_window

S = PostStatus
GOLDEN = Path(__file__).parent / "golden"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEEK = dt.date(2025, 3, 24)  # a Monday; Berlin moves to summer time on its Sunday
LONG = "一二三四五六七八九十" * 4  # exactly 40 characters: not shortened
# Findings as post_check stores them (spans into the post's text), one with markup in its
# message, one without a span; and one of another shape (a hand-edited row) the card survives.
WARN = [
    {
        "field": "text",
        "code": "R05",
        "severity": "warn",
        "message": "绝对化用语",
        "suggestion": "换成具体的事实",
        "start": 2,
        "end": 4,
        "matched": "最好",
    }
]
BLOCK = [
    {
        "field": "text",
        "code": "R01",
        "severity": "block",
        "message": 'Promises "保本" & <returns>',
        "suggestion": "",
        "start": 8,
        "end": 10,
        "matched": "保本",
    },
    {
        "field": "text",
        "code": "R10",
        "severity": "block",
        "message": "缺少执业证编号",
        "suggestion": "",
        "start": 0,
        "end": 0,
        "matched": "",
    },
]
ODD = [{"rule": "guarantee", "severity": "block", "excerpt": "保本"}]

# (status, title, text, findings, has_block, review_comment, last_error): every branch a card has.
VARIANTS = [
    (S.DRAFT, "", "没有标题的帖子：" + LONG, [], False, "", ""),
    (S.PENDING_REVIEW, LONG, "这是最好的保障", WARN, False, "", ""),
    (S.PENDING_REVIEW, LONG + "多", "这是最好的保障，保本 <b>&</b>", BLOCK + WARN, True, "", ""),
    (S.SCHEDULED, "A <b>\"quoted\"</b> & 'apostrophe'", "x", [], False, "old note", ""),
    (S.SENT, "已发送", "x", [], False, "", ""),
    (S.POSTED, "已发布", "x", {}, False, "", ""),
    (S.REJECTED, "被退回", "x", [], False, "换张图 <img src=x>", ""),
    (S.MISSED, "错过了", "x", [], False, "", ""),
    (S.FAILED, "失败了", "x", [], False, "", 'robot said "no" & <nothing>'),
    (S.DRAFT, "标记了但没有发现", "x", [], True, "", ""),
    (S.REJECTED, "另一种发现", "x", ODD, True, "", ""),
]
# A post's pictures (``image_paths``), by its place in VARIANTS.
IMAGES = {1: ["content/7/a.jpg"], 6: [f"content/8/{n}.jpg" for n in range(4)]}


def normalised(html: str, pks: list[int]) -> str:
    """``html`` with each post id as ``P<n>`` (its place in ``pks``) and the CSRF token as
    ``CSRF`` (and a persona's id, in a form or a link, as ``PERSONA``)."""
    names = {str(pk): f"P{n}" for n, pk in enumerate(pks)}
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1CSRF"', html)
    html = re.sub(r"(post-|posts/|comment-)(\d+)", lambda m: m[1] + names.get(m[2], m[2]), html)
    html = re.sub(r'("X-CSRFToken": ")[^"]*"', r'\1CSRF"', html)
    html = re.sub(r"(\?persona=)\d+", r"\1PERSONA", html)
    return re.sub(r'(name="persona" value=")\d+"', r'\1PERSONA"', html)


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_cards_of_post_instances_are_pinned():
    """The card as the dashboards and htmx re-draws draw it, from a ``MomentPost``."""
    at = dt.datetime(2025, 3, 25, 0, 11, 5, tzinfo=dt.UTC)
    posts = [
        MomentPost(
            pk=100 + n,
            status=status,
            title=title,
            text=text,
            findings=findings,
            has_block=block,
            review_comment=comment,
            last_error=error,
            category=("story", "value", "ad", "other")[n % 4],
            scheduled_at=at + dt.timedelta(hours=n, microseconds=250 * n),
            window_name="commute",
            image_paths=IMAGES.get(n, []),
        )
        for n, (status, title, text, findings, block, comment, error) in enumerate(VARIANTS)
    ]
    with translation.override("en"), timezone.override(SHANGHAI):
        kit = CardKit.build(csrf_token="CSRF", next_path="/schedule/team/?start=2025-03-24&a=<b>")
        drawn = [
            render_card(post, kit, reviewer=reviewer)
            for post in posts
            for reviewer in (False, True)
        ]
        drawn.append(render_card(posts[1], kit, reviewer=True, error='Already "approved" <x>'))
    assert "\n".join(drawn) + "\n" == golden("cards.html")


@pytest.fixture
def team_week(db):
    """A lead (Shanghai) and their team's posts over the week of ``WEEK``: every card variant,
    a window no longer in force, posts either side of the week's bounds, an agent in Berlin
    across the change to summer time, an inactive member, and another team's post."""
    for name in ("commute", "lunch", "bedtime"):
        default_window(name)
    lead = LeadFactory(username="lead", display_name="Lead Li", language="en")
    team = lead.led_team
    team.name = "Red <team>"
    team.save()
    ann = AgentFactory(username="ann", display_name="Ann", team=team, language="en")
    bob = AgentFactory(
        username="bob", display_name="", first_name="Bob", last_name="B", team=team,
        language="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    gone = AgentFactory(username="gone", display_name="Gone", team=team, is_active=False)
    other = AgentFactory(username="other", display_name="Other", language="en")
    persona = {u.username: PersonaFactory(owner=u, licence_number=LICENCE) for u in (lead, ann)}
    persona["bob"] = PersonaFactory(owner=bob, licence_number=LICENCE, nickname="Bob's <shop>")
    persona["gone"] = PersonaFactory(owner=gone, licence_number=LICENCE)
    persona["other"] = PersonaFactory(owner=other, licence_number=LICENCE)
    posts: list[MomentPost] = []

    def post(who: str, at: dt.datetime, window: str = "commute", **fields) -> None:
        fields.setdefault("window", None)
        posts.append(
            PostFactory(
                persona=persona[who],
                scheduled_at=at,
                window_ends_at=at + dt.timedelta(minutes=30),
                window_name=window,
                content=None,
                **fields,
            )
        )

    windows = ["commute", "lunch", "bedtime", "retired", ""]
    for n, (status, title, text, findings, block, comment, error) in enumerate(VARIANTS):
        day = WEEK + dt.timedelta(days=n % 7)
        at = dt.datetime.combine(day, dt.time(7 + n, 5 * n, n), tzinfo=SHANGHAI)
        post(
            ("ann", "lead")[n % 2],
            at.replace(microsecond=1000 * n),
            windows[n % len(windows)],
            status=status,
            title=title,
            text=text,
            findings=findings,
            has_block=block,
            review_comment=comment,
            last_error=error,
            category=("story", "value", "ad", "other")[n % 4],
            image_paths=IMAGES.get(n, []),
        )
    first = dt.datetime.combine(WEEK, dt.time.min, tzinfo=SHANGHAI)
    post("ann", first, title="第一刻", status=S.PENDING_REVIEW)
    post("ann", first - dt.timedelta(microseconds=1), title="上周")
    post("ann", first + dt.timedelta(days=7, microseconds=-500_000), title="最后半秒")
    post("ann", first + dt.timedelta(days=7), title="下周")
    post("ann", first + dt.timedelta(days=2), title="取消了", status=S.CANCELLED)
    same = first + dt.timedelta(days=3, hours=12, minutes=30)
    post("ann", same, "lunch", title="同时一")  # the same time: in the order they were made
    post("ann", same, "lunch", title="同时二")
    for day in (28, 29, 30):  # Berlin: 08:11 on Friday to Sunday, +01:00 then +02:00
        at = dt.datetime(2025, 3, day, 8, 11, tzinfo=BERLIN)
        post("bob", at, "lunch", title=f"柏林{day}", status=S.SCHEDULED)
    post("bob", dt.datetime(2025, 3, 30, 23, 30, tzinfo=BERLIN), title="柏林深夜")
    post("gone", first + dt.timedelta(days=1, hours=8), status=S.PENDING_REVIEW, title="离职")
    post("other", first + dt.timedelta(days=1, hours=8), status=S.PENDING_REVIEW, title="外队")
    return {"lead": lead, "bob": bob, "posts": posts}


def page_body(client, user, name: str, pks: list[int]) -> str:
    client.force_login(user)
    response = client.get(f"{reverse(name)}?start={WEEK.isoformat()}")
    assert response.status_code == 200
    html = response.content.decode()
    return normalised(html[html.index("<h1>") : html.index("</main>")], pks) + "\n"


def test_team_week_markup_is_pinned(client, team_week):
    pks = [p.pk for p in team_week["posts"]]
    assert page_body(client, team_week["lead"], "scheduler-team", pks) == golden("team_week.html")


def test_agent_week_markup_is_pinned(client, team_week):
    pks = [p.pk for p in team_week["posts"]]
    assert page_body(client, team_week["bob"], "scheduler-week", pks) == golden("agent_week.html")
