"""Pages: calendars, review actions through htmx, today's posts; scoping and query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import Category
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler import dispatch
from scheduler.models import MomentPost, PostStatus
from scheduler.tests.factories import LICENCE, ContentItemFactory, PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus


@pytest.fixture
def world():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    stranger = AgentFactory()
    return {
        "lead": lead,
        "agent": agent,
        "persona": persona,
        "stranger": stranger,
        "stranger_persona": PersonaFactory(owner=stranger, licence_number=LICENCE),
    }


def next_monday(tz=None):
    today = timezone.localdate(timezone.now(), tz)
    return today + dt.timedelta(days=7 - today.weekday())


def week_url(name):
    return f"{reverse(name)}?start={next_monday().isoformat()}"


def this_week_post(persona, **kwargs):
    """A post on next week's Tuesday (the week the pages below look at)."""
    tz = persona.owner.tzinfo
    day = next_monday(tz) + dt.timedelta(days=1)
    at = dt.datetime.combine(day, dt.time(8, 11), tzinfo=tz)
    return PostFactory(
        persona=persona,
        scheduled_at=at,
        **{"window_ends_at": at + dt.timedelta(minutes=49), **kwargs},
    )


def test_agent_plans_the_week_from_the_calendar(client, world):
    ContentItemFactory.create_batch(8, category=Category.STORY)
    ContentItemFactory.create_batch(8, category=Category.VALUE)
    client.force_login(world["agent"])
    start = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        reverse("scheduler-plan"), {"persona": world["persona"].pk, "start": start.isoformat()}
    )
    assert response.status_code == 302
    assert MomentPost.objects.filter(persona=world["persona"]).count() > 0
    page = client.get(response.url)
    assert page.status_code == 200
    assert world["persona"].nickname in page.content.decode()


def test_planning_another_agents_persona_is_404(client, world):
    client.force_login(world["agent"])
    response = client.post(reverse("scheduler-plan"), {"persona": world["stranger_persona"].pk})
    assert response.status_code == 404
    assert not MomentPost.objects.exists()


def test_post_actions_on_another_agents_post_are_404(client, world):
    post = PostFactory(persona=world["stranger_persona"], status=S.SENT)
    client.force_login(world["agent"])
    for action in ("posted", "cancel", "approve", "reject", "submit"):
        response = client.post(reverse("scheduler-post-action", args=[post.pk, action]))
        assert response.status_code == 404
    post.refresh_from_db()
    assert post.status == S.SENT


def test_lead_approves_and_sends_back_with_htmx(client, world):
    first = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    second = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    client.force_login(world["lead"])
    page = client.get(week_url("scheduler-team"))
    assert page.status_code == 200 and f'id="post-{first.pk}"' in page.content.decode()
    response = client.post(
        reverse("scheduler-post-action", args=[first.pk, "approve"]),
        {"reviewer": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and f'id="post-{first.pk}"' in response.content.decode()
    response = client.post(
        reverse("scheduler-post-action", args=[second.pk, "reject"]),
        {"reviewer": "1", "comment": "换张图"},
        HTTP_HX_REQUEST="true",
    )
    assert "换张图" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.SCHEDULED, S.REJECTED)


def test_lead_approves_the_whole_week(client, world):
    posts = [this_week_post(world["persona"], status=S.PENDING_REVIEW) for _ in range(3)]
    client.force_login(world["lead"])
    response = client.post(
        reverse("scheduler-approve-week"), {"comment": "ok", "start": next_monday().isoformat()}
    )
    assert response.status_code == 302
    assert {p.status for p in MomentPost.objects.filter(pk__in=[p.pk for p in posts])} == {
        S.SCHEDULED
    }


def test_agents_have_no_team_calendar(client, world):
    client.force_login(world["agent"])
    assert client.get(week_url("scheduler-team")).status_code == 404
    assert client.post(reverse("scheduler-approve-week")).status_code == 404


def test_week_calendar_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world["agent"])
    for _ in range(2):
        this_week_post(world["persona"])
    with django_assert_max_num_queries(12):
        small = client.get(week_url("scheduler-week"))
    for _ in range(20):
        this_week_post(PersonaFactory(owner=world["agent"]))
    with django_assert_max_num_queries(12):
        large = client.get(week_url("scheduler-week"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="post ') == 22


def test_team_calendar_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world["lead"])
    this_week_post(world["persona"], status=S.PENDING_REVIEW)
    with django_assert_max_num_queries(12):
        client.get(week_url("scheduler-team"))
    for _ in range(10):
        agent = AgentFactory(team=world["lead"].led_team)
        this_week_post(PersonaFactory(owner=agent), status=S.PENDING_REVIEW)
    with django_assert_max_num_queries(12):
        large = client.get(week_url("scheduler-team"))
    assert large.content.decode().count('class="post ') == 11


def test_team_calendar_shows_the_leads_team_only(client, world):
    mine = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    other_lead = LeadFactory()
    elsewhere = this_week_post(
        PersonaFactory(owner=AgentFactory(team=other_lead.led_team)), status=S.PENDING_REVIEW
    )
    loner = this_week_post(world["stranger_persona"], status=S.PENDING_REVIEW)
    client.force_login(world["lead"])
    page = client.get(week_url("scheduler-team")).content.decode()
    assert f'id="post-{mine.pk}"' in page
    assert f'id="post-{elsewhere.pk}"' not in page and f'id="post-{loner.pk}"' not in page
    client.force_login(other_lead)
    page = client.get(week_url("scheduler-team")).content.decode()
    assert f'id="post-{elsewhere.pk}"' in page and f'id="post-{mine.pk}"' not in page


def test_today_shows_the_ready_post_to_copy_and_confirm(client, world):
    post = PostFactory(
        persona=world["persona"],
        status=S.SCHEDULED,
        scheduled_at=timezone.now() - dt.timedelta(minutes=1),
        image_paths=["content/1/a.jpg"],
    )
    dispatch.dispatch_due()
    client.force_login(world["agent"])
    page = client.get(reverse("scheduler-today")).content.decode()
    assert post.text in page and 'href="/media/content/1/a.jpg" download' in page
    client.post(reverse("scheduler-post-action", args=[post.pk, "posted"]))
    post.refresh_from_db()
    assert post.status == S.POSTED
    client.force_login(world["stranger"])
    assert post.text not in client.get(reverse("scheduler-today")).content.decode()


def test_today_query_count_is_constant(client, world, django_assert_max_num_queries):
    def ready(count):
        for _ in range(count):
            PostFactory(
                persona=world["persona"],
                status=S.SCHEDULED,
                scheduled_at=timezone.now() - dt.timedelta(minutes=1),
                image_paths=["content/1/a.jpg"],
            )
        assert dispatch.dispatch_due().sent == count

    client.force_login(world["agent"])
    ready(2)
    with django_assert_max_num_queries(8):
        small = client.get(reverse("scheduler-today")).content.decode()
    ready(20)
    with django_assert_max_num_queries(8):
        large = client.get(reverse("scheduler-today")).content.decode()
    assert small.count('class="card reminder ') == 2
    assert large.count('class="card reminder ') == 22
