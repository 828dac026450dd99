"""/api/v1/ windows, posts (+ actions), plans and calendar: scoping, 4xx, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import Category
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.tests.factories import LICENCE, ContentItemFactory, PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus


@pytest.fixture
def world():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    other_lead = LeadFactory()
    stranger = AgentFactory(team=other_lead.led_team)
    stranger_persona = PersonaFactory(owner=stranger, licence_number=LICENCE)
    return {
        "lead": lead,
        "agent": agent,
        "persona": persona,
        "other_lead": other_lead,
        "stranger": stranger,
        "stranger_persona": stranger_persona,
    }


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def test_post_list_is_scoped_to_owner_and_lead(api_client, world):
    mine = PostFactory(persona=world["persona"])
    theirs = PostFactory(persona=world["stranger_persona"])
    api_client.force_authenticate(world["agent"])
    ids = {row["id"] for row in api_client.get(url("post-list")).json()["results"]}
    assert ids == {mine.pk}
    api_client.force_authenticate(world["lead"])
    ids = {row["id"] for row in api_client.get(url("post-list")).json()["results"]}
    assert ids == {mine.pk}
    api_client.force_authenticate(world["other_lead"])
    ids = {row["id"] for row in api_client.get(url("post-list")).json()["results"]}
    assert ids == {theirs.pk}


@pytest.mark.parametrize(
    "action", ["detail", "approve", "reject", "posted", "cancel", "submit", "retry"]
)
def test_another_agents_post_is_404_for_every_action(api_client, world, action):
    theirs = PostFactory(persona=world["stranger_persona"], status=S.PENDING_REVIEW)
    api_client.force_authenticate(world["agent"])
    if action == "detail":
        response = api_client.get(url("post-detail", theirs.pk))
    else:
        response = api_client.post(url(f"post-{action}", theirs.pk), {"comment": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.PENDING_REVIEW


def test_lead_approves_and_sends_back_through_the_api(api_client, world):
    first = PostFactory(persona=world["persona"], status=S.PENDING_REVIEW)
    second = PostFactory(persona=world["persona"], status=S.PENDING_REVIEW)
    api_client.force_authenticate(world["lead"])
    response = api_client.post(url("post-approve", first.pk), {"comment": "好"})
    assert response.status_code == 200 and response.json()["status"] == S.SCHEDULED
    bad = api_client.post(url("post-reject", second.pk), {})
    assert bad.status_code == 400 and "comment" in bad.json()
    response = api_client.post(url("post-reject", second.pk), {"comment": "换个开头"})
    assert response.json()["status"] == S.REJECTED
    again = api_client.post(url("post-approve", first.pk))
    assert again.status_code == 400  # scheduled -> scheduled is not a move


def test_agent_cannot_approve_their_own_post(api_client, world):
    post = PostFactory(persona=world["persona"], status=S.PENDING_REVIEW)
    api_client.force_authenticate(world["agent"])
    assert api_client.post(url("post-approve", post.pk)).status_code == 403


def test_agent_confirms_posted(api_client, world):
    post = PostFactory(persona=world["persona"], status=S.SENT)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(url("post-posted", post.pk))
    assert response.status_code == 200 and response.json()["status"] == S.POSTED
    post.refresh_from_db()
    assert post.posted_at is not None


def test_plan_creates_posts_and_reports_unfilled_slots(api_client, world):
    ContentItemFactory.create_batch(3, category=Category.STORY)
    ContentItemFactory.create_batch(3, category=Category.VALUE)
    api_client.force_authenticate(world["agent"])
    start = timezone.localdate() + dt.timedelta(days=1)
    response = api_client.post(
        url("plan-list"), {"persona": world["persona"].pk, "start": start.isoformat(), "days": 3}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["created"]) + len(body["unfilled"]) == 9
    assert body["unfilled"] and all(slot["reason"] for slot in body["unfilled"])
    assert MomentPost.objects.filter(persona=world["persona"]).count() == len(body["created"])


def test_plan_refuses_bad_input_and_other_agents_personas(api_client, world):
    api_client.force_authenticate(world["agent"])
    bad = api_client.post(
        url("plan-list"), {"persona": world["persona"].pk, "start": "soon", "days": 99}
    )
    assert bad.status_code == 400 and {"start", "days"} <= set(bad.json())
    other = api_client.post(
        url("plan-list"), {"persona": world["stranger_persona"].pk, "start": "2026-12-01"}
    )
    assert other.status_code == 404


def test_calendar_shows_the_week_in_the_agents_zone(api_client, world):
    tz = world["agent"].tzinfo
    start = timezone.localdate(timezone.now(), tz) + dt.timedelta(days=1)
    inside = PostFactory(
        persona=world["persona"], scheduled_at=dt.datetime.combine(start, dt.time(8, 7), tzinfo=tz)
    )
    PostFactory(
        persona=world["persona"],
        scheduled_at=dt.datetime.combine(start + dt.timedelta(days=7), dt.time(8, 7), tzinfo=tz),
    )
    api_client.force_authenticate(world["lead"])
    response = api_client.get(
        url("calendar-list"), {"start": start.isoformat(), "days": 7, "agent": world["agent"].pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["posts"]] == [inside.pk]
    assert [w["name"] for w in body["windows"]] == ["commute", "lunch", "bedtime"]
    assert body["posts"][0]["local_time"].startswith(f"{start.isoformat()}T08:07")
    api_client.force_authenticate(world["agent"])
    assert api_client.get(url("calendar-list"), {"agent": world["stranger"].pk}).status_code == 404
    assert api_client.get(url("calendar-list"), {"start": "nope"}).status_code == 400


def test_windows_agents_add_their_own_and_cannot_touch_others(api_client, world):
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        url("window-list"), {"name": "lunch", "start": "12:30", "end": "13:00"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["scope"] == "agent"
    duplicate = api_client.post(
        url("window-list"), {"name": "lunch", "start": "12:30", "end": "13:00"}
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    backwards = api_client.post(url("window-list"), {"name": "x", "start": "13:00", "end": "12:00"})
    assert backwards.status_code == 400 and "end" in backwards.json()
    not_lead = api_client.post(
        url("window-list"), {"name": "y", "start": "10:00", "end": "11:00", "for_team": True}
    )
    assert not_lead.status_code == 403
    effective = api_client.get(url("window-effective")).json()
    assert [(w["name"], w["start"]) for w in effective][1] == ("lunch", "12:30:00")
    default = PostingWindow.objects.global_defaults().get(name="commute")
    assert api_client.delete(url("window-detail", default.pk)).status_code == 403
    theirs = PostingWindow.objects.create(
        name="z", start=dt.time(6), end=dt.time(7), owner=world["stranger"]
    )
    assert api_client.delete(url("window-detail", theirs.pk)).status_code == 404


def test_lead_sets_a_team_window(api_client, world):
    api_client.force_authenticate(world["lead"])
    response = api_client.post(
        url("window-list"), {"name": "tea", "start": "15:00", "end": "15:40", "for_team": True}
    )
    assert response.status_code == 201 and response.json()["scope"] == "team"
    names = [w.name for w in PostingWindow.objects.effective_for(world["agent"])]
    assert "tea" in names


def test_post_list_query_count_is_constant(api_client, world, django_assert_max_num_queries):
    api_client.force_authenticate(world["lead"])
    PostFactory.create_batch(3, persona=world["persona"])
    with django_assert_max_num_queries(4):
        small = api_client.get(url("post-list"))
    PostFactory.create_batch(30, persona=PersonaFactory(owner=world["agent"]))
    with django_assert_max_num_queries(4):
        large = api_client.get(url("post-list"))
    assert len(large.json()["results"]) == len(small.json()["results"]) + 30


def test_calendar_query_count_is_constant(api_client, world, django_assert_max_num_queries):
    api_client.force_authenticate(world["agent"])
    PostFactory.create_batch(3, persona=world["persona"])
    with django_assert_max_num_queries(5):
        small = api_client.get(url("calendar-list"))
    PostFactory.create_batch(30, persona=world["persona"])
    with django_assert_max_num_queries(5):
        large = api_client.get(url("calendar-list"))
    assert len(large.json()["posts"]) == len(small.json()["posts"]) + 30


def test_the_agent_retries_a_failed_post_through_the_api_and_only_a_failed_one(api_client, world):
    at = timezone.now() + dt.timedelta(days=2)
    failed = PostFactory(persona=world["persona"], status=S.FAILED, scheduled_at=at)
    draft = PostFactory(persona=world["persona"], status=S.DRAFT, scheduled_at=at + dt.timedelta(1))
    api_client.force_authenticate(world["agent"])
    response = api_client.post(url("post-retry", failed.pk))
    assert response.status_code == 200, response.json()
    failed.refresh_from_db()
    assert failed.status == S.SCHEDULED
    assert api_client.post(url("post-retry", draft.pk)).status_code == 400
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
