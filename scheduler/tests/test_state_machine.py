"""The post state machine: legal moves recorded with who and why, illegal moves refused."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import ComplianceRule
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import PostingWindow, PostStatus, PostTransition
from scheduler.services import (
    TRANSITIONS,
    PostConflict,
    PostRefused,
    post_approve,
    post_approve_many,
    post_cancel,
    post_edit,
    post_mark_posted,
    post_move,
    post_reject,
    post_submit,
    post_transition,
    posts_transition,
)
from scheduler.tests.factories import LICENCE, PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus


@pytest.fixture
def team():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    return {"lead": lead, "agent": agent, "persona": persona}


def block_rule(phrase="紫色大象"):
    return ComplianceRule.objects.create(
        code="T90", kind="phrases", phrases=phrase, severity="block", message="承诺收益"
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in S.values for t in S.values if t not in TRANSITIONS[s]],
)
def test_every_illegal_move_is_refused_and_leaves_no_trace(team, source, target):
    post = PostFactory(persona=team["persona"], status=source)
    with pytest.raises(PostRefused):
        post_transition(post=post, to=target, by=team["agent"])
    post.refresh_from_db()
    assert post.status == source
    assert not PostTransition.objects.filter(post=post).exists()


def test_a_legal_move_records_who_when_and_why(team):
    post = PostFactory(persona=team["persona"], status=S.DRAFT)
    post_transition(post=post, to=S.CANCELLED, by=team["agent"], note="不想发了")
    post.refresh_from_db()
    assert post.status == S.CANCELLED
    row = PostTransition.objects.get(post=post)
    assert (row.by, row.from_status, row.to_status, row.note) == (
        team["agent"],
        S.DRAFT,
        S.CANCELLED,
        "不想发了",
    )
    assert row.at <= timezone.now()


def test_a_stale_copy_loses_the_race_and_writes_nothing(team):
    post = PostFactory(persona=team["persona"], status=S.PENDING_REVIEW)
    stale = type(post).objects.get(pk=post.pk)
    post_approve(post=post, by=team["lead"])
    with pytest.raises(PostConflict):
        post_reject(post=stale, by=team["lead"], comment="改一下")
    post.refresh_from_db()
    assert post.status == S.SCHEDULED
    assert PostTransition.objects.filter(post=post).count() == 1


def test_many_posts_move_together_and_stale_copies_are_left_out(team):
    posts = PostFactory.create_batch(3, persona=team["persona"], status=S.PENDING_REVIEW)
    stale = type(posts[0]).objects.get(pk=posts[0].pk)
    post_approve(post=posts[0], by=team["lead"])  # moved by someone else meanwhile
    posts[1].review_comment = "好"
    moved = posts_transition(
        posts=[stale, posts[1], posts[2]],
        to=S.REJECTED,
        by=team["lead"],
        note="换个开头",
        fields=("review_comment",),
    )
    assert [p.pk for p in moved] == [posts[1].pk, posts[2].pk]
    statuses = {p.pk: (p.status, p.review_comment) for p in type(stale).objects.all()}
    assert statuses == {
        posts[0].pk: (S.SCHEDULED, ""),
        posts[1].pk: (S.REJECTED, "好"),
        posts[2].pk: (S.REJECTED, ""),
    }
    rows = PostTransition.objects.filter(to_status=S.REJECTED)
    assert sorted(rows.values_list("post", "by", "note")) == [
        (posts[1].pk, team["lead"].pk, "换个开头"),
        (posts[2].pk, team["lead"].pk, "换个开头"),
    ]


def test_many_posts_refuse_an_illegal_move_or_mixed_statuses(team):
    sent = PostFactory.create_batch(2, persona=team["persona"], status=S.SENT)
    with pytest.raises(PostRefused):
        posts_transition(posts=sent, to=S.SCHEDULED, by=team["agent"])
    draft = PostFactory(persona=team["persona"], status=S.DRAFT)
    with pytest.raises(ValueError):
        posts_transition(posts=[sent[0], draft], to=S.CANCELLED, by=team["agent"])
    assert not PostTransition.objects.exists()
    assert set(type(draft).objects.values_list("status", flat=True)) == {S.SENT, S.DRAFT}


def test_submit_goes_to_review_when_the_team_needs_approval(team):
    post = PostFactory(persona=team["persona"])
    post_submit(post=post, by=team["agent"])
    post.refresh_from_db()
    assert post.status == S.PENDING_REVIEW


def test_submit_goes_straight_to_scheduled_when_the_team_needs_no_approval(team):
    team["agent"].team.posts_need_approval = False
    team["agent"].team.save()
    post = PostFactory(persona=team["persona"])
    post_submit(post=post, by=team["agent"])
    post.refresh_from_db()
    assert post.status == S.SCHEDULED


def test_only_the_teams_lead_approves(team):
    post = PostFactory(persona=team["persona"], status=S.PENDING_REVIEW)
    other_lead = LeadFactory()
    for user in (team["agent"], other_lead):
        with pytest.raises(PostRefused):
            post_approve(post=post, by=user)
    post_approve(post=post, by=team["lead"], comment="好")
    post.refresh_from_db()
    assert (post.status, post.reviewed_by, post.review_comment) == (S.SCHEDULED, team["lead"], "好")


def test_sent_back_post_is_edited_rechecked_and_resubmitted(team):
    post = PostFactory(persona=team["persona"], status=S.PENDING_REVIEW)
    with pytest.raises(PostRefused):
        post_reject(post=post, by=team["lead"], comment="  ")
    post_reject(post=post, by=team["lead"], comment="别写收益")
    post.refresh_from_db()
    assert (post.status, post.review_comment) == (S.REJECTED, "别写收益")

    block_rule()
    post_edit(post=post, by=team["agent"], text="这款产品紫色大象")
    post.refresh_from_db()
    assert post.has_block
    with pytest.raises(PostRefused) as refused:
        post_submit(post=post, by=team["agent"])
    assert "承诺收益" in str(refused.value)
    post.refresh_from_db()
    assert post.status == S.REJECTED

    post_edit(post=post, by=team["agent"], text="聊聊家庭保障怎么配")
    post_submit(post=post, by=team["agent"])
    post.refresh_from_db()
    assert (post.status, post.has_block) == (S.PENDING_REVIEW, False)
    moves = list(PostTransition.objects.filter(post=post).values_list("from_status", "to_status"))
    assert moves == [(S.PENDING_REVIEW, S.REJECTED), (S.REJECTED, S.PENDING_REVIEW)]


def test_approve_is_refused_when_compliance_now_blocks(team):
    post = PostFactory(persona=team["persona"], status=S.PENDING_REVIEW, text="保证紫色大象")
    block_rule()
    with pytest.raises(PostRefused):
        post_approve(post=post, by=team["lead"])
    post.refresh_from_db()
    assert post.status == S.PENDING_REVIEW


def test_approve_many_reports_each_refusal(team):
    good = PostFactory.create_batch(3, persona=team["persona"], status=S.PENDING_REVIEW)
    late = PostFactory(
        persona=team["persona"],
        status=S.PENDING_REVIEW,
        scheduled_at=timezone.now() - dt.timedelta(hours=3),
        window_ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    result = post_approve_many(posts=[*good, late], by=team["lead"])
    assert len(result.done) == 3
    assert [post.pk for post, _ in result.refused] == [late.pk]


def test_mark_posted_counts_a_use_of_the_content(team):
    post = PostFactory(persona=team["persona"], status=S.SENT)
    post_mark_posted(post=post, by=team["agent"])
    post.refresh_from_db()
    post.content.refresh_from_db()
    assert post.status == S.POSTED and post.posted_at is not None
    assert post.content.times_posted == 1


def test_another_agent_cannot_touch_the_post(team):
    post = PostFactory(persona=team["persona"], status=S.SENT)
    with pytest.raises(PostRefused):
        post_mark_posted(post=post, by=AgentFactory())
    with pytest.raises(PostRefused):
        post_cancel(post=post, by=AgentFactory())


def test_move_keeps_the_minute_and_rechecks_compliance(team):
    windows = {w.name: w for w in PostingWindow.objects.global_defaults()}
    tz = team["agent"].tzinfo
    day = timezone.localdate(timezone.now(), tz) + dt.timedelta(days=2)
    at = dt.datetime.combine(day, dt.time(7, 47), tzinfo=tz)
    post = PostFactory(
        persona=team["persona"],
        status=S.SCHEDULED,
        window=windows["commute"],
        scheduled_at=at,
        window_ends_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz),
        text="这款产品紫色大象",
    )
    block_rule()
    post_move(post=post, by=team["agent"], window=windows["lunch"], day=day + dt.timedelta(days=1))
    post.refresh_from_db()
    local = post.scheduled_at.astimezone(tz)
    assert (local.date(), local.time()) == (day + dt.timedelta(days=1), dt.time(12, 17))
    assert post.window_name == "lunch"
    assert post.status == S.REJECTED  # the re-check now blocks: back to the agent
    assert "承诺收益" in post.review_comment


def test_move_refuses_a_window_of_another_agent(team):
    other = PostingWindow.objects.create(
        name="x", start=dt.time(15), end=dt.time(16), owner=AgentFactory()
    )
    post = PostFactory(persona=team["persona"], status=S.DRAFT)
    with pytest.raises(PostRefused):
        post_move(
            post=post,
            by=team["agent"],
            window=other,
            day=timezone.localdate() + dt.timedelta(days=1),
        )
