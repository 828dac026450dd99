"""The slot rules (``scheduler.slots``) on every path that places a post.

Each rule is arranged once (the posts around a target slot that make it illegal); each path
then tries to put a post there and gets a 400 naming the rule, with nothing changed:
the API's move, the calendar's move page, and a sent-back post coming back through the API
(submit, and edit with submit). The planner obeys the same rules (its property tests, and
``test_plan_*`` below).
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.tests.factories import PersonaFactory
from content.models import Category
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text
from scheduler import slots
from scheduler.models import MomentPost, PostingWindow, PostStatus, PostTransition
from scheduler.services import PostRefused, plan_week, post_retry, slot_violations
from scheduler.tests.factories import LICENCE, ContentItemFactory, PostFactory, default_window

pytestmark = pytest.mark.django_db
S = PostStatus
MONDAY_ONLY = 0b0000001


@pytest.fixture
def world():
    lead = LeadFactory()
    # No approval step: a resubmitted post goes straight to scheduled.
    lead.led_team.posts_need_approval = False
    lead.led_team.save()
    agent = AgentFactory(team=lead.led_team)
    return {
        "lead": lead,
        "agent": agent,
        "persona": PersonaFactory(owner=agent, licence_number=LICENCE),
        "stranger": AgentFactory(),
    }


def next_monday(tz) -> dt.date:
    today = timezone.localdate(timezone.now(), tz)
    return today + dt.timedelta(days=7 - today.weekday())


def at(persona, day: dt.date, window: PostingWindow, minute: int = 11) -> dt.datetime:
    start = dt.datetime.combine(day, window.start, tzinfo=persona.owner.tzinfo)
    return start + dt.timedelta(minutes=minute)


def post_in(persona, day, window, *, category=Category.STORY, status=S.SCHEDULED):
    when = at(persona, day, window)
    return PostFactory(
        persona=persona,
        content=ContentItemFactory(category=category),
        window=window,
        scheduled_at=when,
        window_ends_at=dt.datetime.combine(day, window.end, tzinfo=persona.owner.tzinfo),
        status=status,
    )


def arrange(rule: str, world) -> tuple[str, PostingWindow, dt.date]:
    """The posts and windows that make one slot break ``rule``: returns the category of the
    post to place there, the window and the day (next week's Wednesday, or yesterday)."""
    persona = world["persona"]
    tz = persona.owner.tzinfo
    wednesday = next_monday(tz) + dt.timedelta(days=2)
    lunch = default_window("lunch")
    if rule == slots.WINDOW_TAKEN:
        post_in(persona, wednesday, lunch)
        return Category.STORY, lunch, wednesday
    if rule == slots.AD_TODAY:
        # An ad that morning, and a story between it and lunch: not next to each other.
        post_in(persona, wednesday, default_window("commute"), category=Category.AD)
        morning = PostingWindow.objects.create(
            owner=persona.owner, name="morning", start=dt.time(10, 0), end=dt.time(11, 0)
        )
        post_in(persona, wednesday, morning)
        return Category.AD, lunch, wednesday
    if rule == slots.AD_ADJACENT:
        # Thursday's first post is an ad, and nothing lies between Wednesday lunch and it.
        thursday = wednesday + dt.timedelta(days=1)
        post_in(persona, thursday, default_window("commute"), category=Category.AD)
        return Category.AD, lunch, wednesday
    if rule == slots.NURTURING_AD:
        persona.account_started = timezone.localdate() - dt.timedelta(days=3)
        persona.save()
        return Category.AD, lunch, wednesday
    if rule == slots.WEEKDAY:
        mondays = PostingWindow.objects.create(
            owner=persona.owner,
            name="monday",
            start=dt.time(10, 0),
            end=dt.time(11, 0),
            weekdays=MONDAY_ONLY,
        )
        return Category.STORY, mondays, wednesday
    if rule == slots.PAST:
        yesterday = timezone.localdate(timezone.now(), tz) - dt.timedelta(days=1)
        return Category.STORY, lunch, yesterday
    raise AssertionError(rule)


def moving_post(world, category) -> MomentPost:
    """A scheduled post on next week's Tuesday commute, to be moved."""
    tuesday = next_monday(world["agent"].tzinfo) + dt.timedelta(days=1)
    return post_in(world["persona"], tuesday, default_window("commute"), category=category)


def snapshot(post: MomentPost) -> tuple:
    post = MomentPost.objects.get(pk=post.pk)
    transitions = PostTransition.objects.filter(post=post).count()
    return (post.status, post.window_id, post.scheduled_at, post.window_ends_at, transitions)


def message(rule: str, user) -> str:
    with translation.override(user.language):
        return _(slots.MESSAGES[rule])


# ---------------------------------------------------------------------- moving a post


@pytest.mark.parametrize("rule", slots.RULES)
def test_api_move_into_a_slot_breaking_a_rule_is_400_naming_it(api_client, world, rule):
    category, window, day = arrange(rule, world)
    post = moving_post(world, category)
    before = snapshot(post)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-move", args=[post.pk]), {"window": window.pk, "day": day.isoformat()}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == [rule]
    field = "window" if rule == slots.WINDOW_TAKEN else "day"
    assert body[field] == [message(rule, world["agent"])]
    assert snapshot(post) == before


@pytest.mark.parametrize("rule", slots.RULES)
def test_calendar_move_into_a_slot_breaking_a_rule_shows_the_rule(client, world, rule):
    category, window, day = arrange(rule, world)
    post = moving_post(world, category)
    before = snapshot(post)
    client.force_login(world["agent"])
    response = client.post(
        reverse("scheduler-post-move", args=[post.pk]),
        {"window": window.pk, "day": day.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    field = "window" if rule == slots.WINDOW_TAKEN else "day"
    page = parse(response.content)
    box = next(
        div
        for div in find_all(page, "div", cls="field")
        if attr(find(div, "label"), "for") == f"id_{field}"
    )
    errors = [text(p) for p in find_all(box, "p", cls="error")]
    assert errors == [message(rule, world["agent"])]
    assert snapshot(post) == before


def test_lead_moving_a_team_post_obeys_the_rules_too(api_client, world):
    category, window, day = arrange(slots.AD_TODAY, world)
    post = moving_post(world, category)
    api_client.force_authenticate(world["lead"])
    response = api_client.post(
        reverse("api:post-move", args=[post.pk]), {"window": window.pk, "day": day.isoformat()}
    )
    assert response.status_code == 400 and response.json()["rule"] == [slots.AD_TODAY]


def test_moving_into_a_slot_that_breaks_nothing_still_works(api_client, world):
    persona = world["persona"]
    wednesday = next_monday(world["agent"].tzinfo) + dt.timedelta(days=2)
    lunch = default_window("lunch")
    # A cancelled and a sent-back post in the window do not hold it.
    post_in(persona, wednesday, lunch, category=Category.AD, status=S.CANCELLED)
    post_in(persona, wednesday, lunch, category=Category.AD, status=S.REJECTED)
    post = moving_post(world, Category.AD)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-move", args=[post.pk]), {"window": lunch.pk, "day": wednesday.isoformat()}
    )
    assert response.status_code == 200, response.json()
    post.refresh_from_db()
    assert (post.window_id, post.scheduled_at.astimezone(persona.owner.tzinfo).date()) == (
        lunch.pk,
        wednesday,
    )


def test_moving_within_its_own_window_is_no_conflict_with_itself(api_client, world):
    post = moving_post(world, Category.AD)
    day = post.scheduled_at.astimezone(world["agent"].tzinfo).date()
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-move", args=[post.pk]),
        {"window": post.window_id, "day": day.isoformat()},
    )
    assert response.status_code == 200


# ----------------------------------------------- a sent-back post coming back into its slot

REENTRY_RULES = [rule for rule in slots.RULES if rule != slots.PAST]


def sent_back_in(world, rule) -> MomentPost:
    """A sent-back post standing in a slot that ``rule`` now forbids (another post took the
    window, an ad came next to it, the account is nurtured, the window's days changed)."""
    category, window, day = arrange(rule, world)
    return post_in(world["persona"], day, window, category=category, status=S.REJECTED)


@pytest.mark.parametrize("rule", REENTRY_RULES)
def test_api_resubmitting_a_sent_back_post_into_a_broken_slot_is_400(api_client, world, rule):
    post = sent_back_in(world, rule)
    before = snapshot(post)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(reverse("api:post-submit", args=[post.pk]))
    assert response.status_code == 400
    assert response.json()["rule"] == [rule]
    assert snapshot(post) == before


@pytest.mark.parametrize("rule", REENTRY_RULES)
def test_api_edit_and_submit_into_a_broken_slot_is_400_and_keeps_the_text(api_client, world, rule):
    post = sent_back_in(world, rule)
    before = snapshot(post)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-edit", args=[post.pk]), {"text": "改好的文字", "submit": True}
    )
    assert response.status_code == 400
    assert response.json()["rule"] == [rule]
    assert snapshot(post) == before
    assert MomentPost.objects.get(pk=post.pk).text == "改好的文字"  # nothing typed is lost


@pytest.mark.parametrize("rule", REENTRY_RULES)
def test_calendar_edit_page_resubmitting_into_a_broken_slot_shows_the_rule(client, world, rule):
    post = sent_back_in(world, rule)
    before = snapshot(post)
    client.force_login(world["agent"])
    response = client.post(reverse("scheduler-post-edit", args=[post.pk]), {"text": "改好的文字"})
    assert response.status_code == 400
    alerts = [text(p) for p in find_all(parse(response.content), "p", cls="error")]
    assert message(rule, world["agent"]) in alerts
    assert snapshot(post) == before


def test_retrying_a_failed_post_whose_window_was_taken_is_refused_naming_the_rule(world):
    category, window, day = arrange(slots.WINDOW_TAKEN, world)
    post = post_in(world["persona"], day, window, category=category, status=S.FAILED)
    with pytest.raises(PostRefused) as refused:
        post_retry(post=post, by=world["agent"])
    assert [e.code for e in refused.value.error_dict["window"]] == [slots.WINDOW_TAKEN]
    assert MomentPost.objects.get(pk=post.pk).status == S.FAILED


# ---------------------------------------------------------------------- the planner


def library():
    for category, count in ((Category.STORY, 12), (Category.VALUE, 12), (Category.AD, 8)):
        ContentItemFactory.create_batch(count, category=category)


def test_api_plan_of_this_week_leaves_slots_already_past_empty(api_client, world):
    library()
    today = timezone.localdate(timezone.now(), world["agent"].tzinfo)
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:plan-list"),
        {"persona": world["persona"].pk, "start": (today - dt.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 201
    now = timezone.now()
    planned = MomentPost.objects.filter(persona=world["persona"])
    assert planned.exists()
    assert not planned.filter(scheduled_at__lte=now).exists()
    past = [slot for slot in response.json()["unfilled"] if slot["reason_code"] == "past"]
    assert len(past) >= 9  # three days of three windows at least


def test_every_planned_post_obeys_the_slot_rules_around_kept_posts(world):
    library()
    persona = world["persona"]
    monday = next_monday(world["agent"].tzinfo)
    # Kept ads the plan must work around, and a draft it will replace.
    post_in(persona, monday + dt.timedelta(days=1), default_window("lunch"), category=Category.AD)
    post_in(persona, monday + dt.timedelta(days=3), default_window("commute"), category="ad")
    post_in(persona, monday + dt.timedelta(days=4), default_window("bedtime"), status=S.DRAFT)
    result = plan_week(persona=persona, start=monday, days=7, seed=7)
    assert result.created
    tz = world["agent"].tzinfo
    for post in MomentPost.objects.filter(persona=persona).exclude(status=S.CANCELLED):
        day = post.scheduled_at.astimezone(tz).date()
        found = slot_violations(
            post=post, window=post.window, day=day, at=post.scheduled_at, now=None
        )
        assert found == [], (post.category, day, post.window_name, found)


def test_nurturing_persona_plan_holds_no_ad(world):
    library()
    persona = world["persona"]
    persona.account_started = timezone.localdate() - dt.timedelta(days=2)
    persona.save()
    plan_week(persona=persona, start=next_monday(world["agent"].tzinfo), days=7, seed=3)
    planned = MomentPost.objects.filter(persona=persona)
    assert planned.exists() and not planned.filter(category=Category.AD).exists()
