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
from crm.tests.markup import attr, classes, find, find_all, parse, text
from homes.selectors import agent_home
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


def fragment(html: bytes):
    """An htmx answer as one tree (a lone root element would be the tree itself)."""
    return parse(b"<div>" + html + b"</div>")


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
    find(find(page, "section", id_=f"reminder-{reminder.pk}"), id_=f"post-{post.pk}")

    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "posted"]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/schedule/today/"},
    )
    answer = fragment(response.content)
    assert "status-posted" in classes(find(answer, "article", id_=f"post-{post.pk}"))
    gone = find(answer, "section", id_=f"reminder-{reminder.pk}")
    assert attr(gone, "hx-swap-oob") == "delete"
    bell = find(answer, "a", id_="bell")
    assert attr(bell, "hx-swap-oob") == "true"
    assert text(find(bell, cls="bell-count")) == "1"

    page = parse(client.get(reverse("scheduler-today")).content)
    assert find_all(page, id_=f"reminder-{reminder.pk}") == []
    assert len(find_all(page, "section", cls="reminder")) == 1


def test_an_action_that_closes_no_reminder_sends_no_bell(client):
    post = PostFactory(status=S.DRAFT)
    client.force_login(post.persona.owner)
    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "cancel"]), headers={"HX-Request": "true"}
    )
    answer = fragment(response.content)
    find(answer, "article", id_=f"post-{post.pk}")
    assert find_all(answer, id_="bell") == []
    assert [e for e in find_all(answer) if attr(e, "hx-swap-oob") is not None] == []


def test_the_migration_closes_reminders_left_open_by_posts_that_moved_on():
    ready = sent()
    waiting = sent(ready.persona.owner)
    # As before the fix: the post moved on, its reminder stayed open.
    MomentPost.objects.filter(pk=ready.pk).update(status=S.POSTED)
    import_module("scheduler.migrations.0004_close_stale_reminders").close_stale(apps, None)
    closed = Reminder.objects.get(post=ready)
    assert closed.dismissed_at == MomentPost.objects.get(pk=ready.pk).updated
    assert open_for(waiting) == [ReminderKind.POST_READY]
