"""Reminders close when their post moves on, whichever path moved it.

A ready post's reminder (the "today" page's card, the bell's count) waits for the agent to
confirm the post; a held post's waits for the agent to fix it. ``post_transition`` closes them
when the post leaves that status: the page, the API, the missed job and any later channel all
move posts through it.
"""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from content.models import ComplianceRule
from crm.dashboard import agent_home
from crm.tests.html_tree import by_id, classes, parse, text
from scheduler import dispatch
from scheduler.models import MomentPost, PostStatus, Reminder, ReminderKind
from scheduler.services import post_cancel, post_edit, post_mark_posted, posts_mark_missed
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus


def sent(agent=None, **kwargs) -> MomentPost:
    """A post sent by the real dispatch: its ready reminder is open."""
    now = timezone.now()
    if agent is not None:
        kwargs["persona__owner"] = agent
    post = PostFactory(
        status=S.SCHEDULED,
        scheduled_at=now - dt.timedelta(minutes=1),
        window_ends_at=now + dt.timedelta(minutes=30),
        **kwargs,
    )
    assert dispatch.dispatch_due().sent == 1
    post.refresh_from_db()
    assert post.status == S.SENT
    return post


def open_for(post: MomentPost) -> list[str]:
    return list(
        Reminder.objects.filter(post=post, dismissed_at__isnull=True).values_list("kind", flat=True)
    )


def test_marking_a_post_posted_closes_its_reminder_and_the_bell_counts_one_fewer():
    post = sent()
    agent = post.persona.owner
    other = sent(agent)
    assert agent_home(agent).open_reminders == 2
    post_mark_posted(post=post, by=agent)
    assert open_for(post) == [] and open_for(other) == [ReminderKind.POST_READY]
    assert Reminder.objects.get(post=post).dismissed_at is not None
    assert agent_home(agent).open_reminders == 1


def test_the_api_posted_action_closes_the_reminder(api_client):
    post = sent()
    api_client.force_authenticate(post.persona.owner)
    response = api_client.post(reverse("api:post-posted", args=[post.pk]))
    assert response.status_code == 200
    assert open_for(post) == []


def test_a_missed_post_closes_its_ready_reminder():
    post = sent()
    later = post.window_ends_at + dt.timedelta(hours=3)
    assert posts_mark_missed(now=later) == 1
    assert open_for(post) == []


def test_resubmitting_a_held_post_closes_the_held_reminder():
    now = timezone.now()
    post = PostFactory(
        status=S.SCHEDULED,
        text="这款产品紫色大象不赔",
        scheduled_at=now - dt.timedelta(minutes=1),
        window_ends_at=now + dt.timedelta(minutes=30),
    )
    rule = ComplianceRule.objects.create(
        code="T91", kind="phrases", phrases="紫色大象", severity="block", message="承诺收益"
    )
    assert dispatch.dispatch_due().held == 1
    post.refresh_from_db()
    assert open_for(post) == [ReminderKind.POST_HELD]
    agent = post.persona.owner
    post = post_edit(post=post, by=agent, text="这款产品保障范围以条款为准")
    assert open_for(post) == [ReminderKind.POST_HELD]  # edited, still sent back
    rule.delete()
    post_cancel(post=post, by=agent)
    assert open_for(post) == []


def test_htmx_posted_removes_the_reminder_card_and_redraws_the_bell(client):
    post = sent()
    agent = post.persona.owner
    sent(agent)
    client.force_login(agent)
    page = parse(client.get(reverse("scheduler-today")).content)
    reminder = Reminder.objects.get(post=post)
    assert by_id(by_id(page, f"reminder-{reminder.pk}"), f"post-{post.pk}") is not None

    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "posted"]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/schedule/today/"},
    )
    answer = parse(response.content)
    assert "status-posted" in classes(by_id(answer, f"post-{post.pk}"))
    assert by_id(answer, f"reminder-{reminder.pk}").get("hx-swap-oob") == "delete"
    bell = by_id(answer, "bell")
    assert bell.get("hx-swap-oob") == "true"
    assert text(bell.find(".//*[@class='bell-count']")) == "1"

    page = parse(client.get(reverse("scheduler-today")).content)
    assert by_id(page, f"reminder-{reminder.pk}") is None
    assert len([s for s in page.iter("section") if "reminder" in classes(s)]) == 1


def test_an_action_that_closes_no_reminder_sends_no_bell(client):
    post = PostFactory(status=S.DRAFT)
    client.force_login(post.persona.owner)
    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "cancel"]), headers={"HX-Request": "true"}
    )
    answer = parse(response.content)
    assert by_id(answer, f"post-{post.pk}") is not None
    assert by_id(answer, "bell") is None
    assert not [e for e in answer.iter() if "hx-swap-oob" in e.attrib]


def test_the_migration_closes_reminders_left_open_by_posts_that_moved_on():
    ready = sent()
    waiting = sent(ready.persona.owner)
    # As before the fix: the post moved on, its reminder stayed open.
    MomentPost.objects.filter(pk=ready.pk).update(status=S.POSTED)
    import_module("scheduler.migrations.0004_close_stale_reminders").close_stale(apps, None)
    closed = Reminder.objects.get(post=ready)
    assert closed.dismissed_at == MomentPost.objects.get(pk=ready.pk).updated
    assert open_for(waiting) == [ReminderKind.POST_READY]
