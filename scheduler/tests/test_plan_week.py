"""plan_week: the loader feeds the pure planner, the service writes snapshots and checks."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import Category, ComplianceRule, ContentImage, ContentItem
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import MomentPost, PostingWindow, PostStatus, PostTransition
from scheduler.planner import REASON_TEMPLATES
from scheduler.reasons import MSGIDS
from scheduler.services import PostRefused, plan_week, post_approve
from scheduler.tests.factories import LICENCE, ContentItemFactory

pytestmark = pytest.mark.django_db
S = PostStatus


def next_monday(tz) -> dt.date:
    today = timezone.localdate(timezone.now(), tz)
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def library():
    items = []
    for category, count in ((Category.STORY, 12), (Category.VALUE, 12), (Category.AD, 8)):
        items += ContentItemFactory.create_batch(count, category=category)
    return items


@pytest.fixture
def setup(library):
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    return {"lead": lead, "agent": agent, "persona": persona, "start": next_monday(agent.tzinfo)}


def active_posts(persona):
    return MomentPost.objects.filter(persona=persona).exclude(status=S.CANCELLED)


def test_a_week_fills_every_window_with_snapshots_in_review(setup):
    persona, start = setup["persona"], setup["start"]
    for item in ContentItem.objects.all():
        for position in (1, 0):  # stored out of order: the snapshot follows position
            ContentImage.objects.create(
                item=item,
                position=position,
                image=f"content/{item.pk}/{position}.jpg",
                thumbnail=f"content/{item.pk}/t{position}.jpg",
            )
    result = plan_week(persona=persona, start=start, days=7, seed=1, by=setup["agent"])
    assert len(result.created) == 21 and result.unfilled == []
    tz = setup["agent"].tzinfo
    windows = {w.pk: w for w in PostingWindow.objects.effective_for(setup["agent"])}
    cells = set()
    for post in active_posts(persona).select_related("content"):
        local = post.scheduled_at.astimezone(tz)
        assert start <= local.date() < start + dt.timedelta(days=7)
        assert windows[post.window_id].contains(local.time())
        assert local.minute != 0
        assert post.window_ends_at == dt.datetime.combine(
            local.date(), windows[post.window_id].end, tzinfo=tz
        )
        assert post.text.startswith(post.content.body) and post.category == post.content.category
        if post.category == "ad":  # the persona's licence line is added to every ad
            assert post.text.endswith(f"执业证编号：{LICENCE}")
        assert post.status == S.PENDING_REVIEW and post.checked_at is not None, (
            post.category,
            post.findings,
        )
        assert post.plan_reason
        assert post.image_paths == [f"content/{post.content_id}/{i}.jpg" for i in (0, 1)]
        cells.add((local.date(), post.window_id))
    assert len(cells) == 21  # one per window per day
    for item in ContentItem.objects.all():
        assert item.times_scheduled == active_posts(persona).filter(content=item).count()
    assert PostTransition.objects.filter(to_status=S.PENDING_REVIEW).count() == 21


def test_replanning_keeps_approved_posts_and_replaces_the_rest(setup):
    persona, start = setup["persona"], setup["start"]
    plan_week(persona=persona, start=start, days=7, seed=1)
    approved = list(active_posts(persona).order_by("scheduled_at")[:4])
    for post in approved:
        post_approve(post=post, by=setup["lead"])
    before = {p.pk: (p.scheduled_at, p.content_id) for p in approved}

    result = plan_week(persona=persona, start=start, days=7, seed=2)
    assert result.kept == 4 and result.replaced == 17 and len(result.created) == 17
    for post in MomentPost.objects.filter(pk__in=before):
        assert post.status == S.SCHEDULED
        assert (post.scheduled_at, post.content_id) == before[post.pk]
    assert active_posts(persona).count() == 21
    assert MomentPost.objects.filter(persona=persona, status=S.CANCELLED).count() == 17
    # no reuse: the kept posts' content is not planned again within the week
    kept_content = {c for _, c in before.values()}
    assert not {p.content_id for p in result.created} & kept_content


def test_a_post_that_fails_the_check_at_scheduling_stays_a_draft_with_findings(setup):
    ContentItem.objects.update(body="紫色大象的好产品")
    ComplianceRule.objects.create(
        code="T92", kind="phrases", phrases="紫色大象", severity="block", message="承诺收益"
    )
    result = plan_week(persona=setup["persona"], start=setup["start"], days=1, seed=3)
    assert result.created
    for post in result.created:
        post.refresh_from_db()
        assert post.status == S.DRAFT and post.has_block
        assert "T92" in {f["code"] for f in post.findings}


def test_empty_library_reports_each_slot_with_a_reason(setup):
    ContentItem.objects.all().delete()
    result = plan_week(persona=setup["persona"], start=setup["start"], days=2, seed=0)
    assert result.created == []
    assert len(result.unfilled) == 6
    assert all(slot["reason"] and slot["window"] for slot in result.unfilled)
    assert {slot["reason_code"] for slot in result.unfilled} <= {
        "no_content",
        "ad_rules",
        "mix_empty",
    }


def test_times_are_in_the_agents_own_zone():
    ContentItemFactory.create_batch(5, category=Category.STORY)
    ContentItemFactory.create_batch(5, category=Category.VALUE)
    agent = AgentFactory(time_zone="America/New_York")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    start = next_monday(agent.tzinfo)
    plan_week(persona=persona, start=start, days=2, seed=5)
    commute = next(w for w in PostingWindow.objects.effective_for(agent) if w.name == "commute")
    morning = [p for p in active_posts(persona) if p.window_id == commute.pk]
    assert len(morning) == 2
    for post in morning:
        local = post.scheduled_at.astimezone(agent.tzinfo)
        assert dt.time(7, 30) <= local.time() < dt.time(9)


def test_another_agent_cannot_plan_my_persona(setup):
    with pytest.raises(PostRefused):
        plan_week(persona=setup["persona"], start=setup["start"], by=AgentFactory())


def test_reason_msgids_say_what_the_planners_templates_say():
    from django.utils import translation

    from scheduler.planner import Reason
    from scheduler.reasons import reason_text

    assert set(MSGIDS) == set(REASON_TEMPLATES)
    params = {
        "category": "value",
        "target": 40,
        "count": 1,
        "total": 3,
        "reuse_days": 30,
        "topics": ["养老"],
        "window": "commute",
    }
    with translation.override("en"):
        for code, template in REASON_TEMPLATES.items():
            used = {k: v for k, v in params.items() if "{" + k + "}" in template}
            english = reason_text([Reason(code, used)])
            expected = Reason(code, used).text
            assert english.lower() == expected.lower(), code
