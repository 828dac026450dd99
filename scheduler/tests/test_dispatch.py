"""Dispatch in-process: claim, re-check, publish, record; retries, holds, the missed job.

The multi-process guarantees (many workers, a killed worker) are in test_dispatch_workers.py.
"""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import ComplianceRule
from crm.tests.factories import LeadFactory
from scheduler import dispatch
from scheduler.models import (
    AttemptOutcome,
    DispatchAttempt,
    MomentPost,
    PostStatus,
    PostTransition,
    Reminder,
    ReminderKind,
)
from scheduler.publishers import ReminderPublisher, media_link
from scheduler.services import posts_mark_missed
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus


def due_post(**kwargs):
    now = timezone.now()
    kwargs.setdefault("scheduled_at", now - dt.timedelta(minutes=1))
    kwargs.setdefault("window_ends_at", now + dt.timedelta(minutes=30))
    return PostFactory(status=S.SCHEDULED, **kwargs)


def test_a_due_post_is_sent_once_as_a_dashboard_reminder():
    post = due_post(image_paths=["content/1/a.jpg"])
    report = dispatch.dispatch_due()
    assert (report.claimed, report.sent) == (1, 1)
    post.refresh_from_db()
    assert post.status == S.SENT and post.sent_at is not None and post.claim_token is None
    reminder = Reminder.objects.get(post=post)
    assert (reminder.owner, reminder.kind, reminder.text, reminder.image_paths) == (
        post.persona.owner,
        ReminderKind.POST_READY,
        post.text,
        ["content/1/a.jpg"],
    )
    assert reminder.idempotency_key == post.idempotency_key
    attempt = DispatchAttempt.objects.get(post=post)
    assert (attempt.publisher, attempt.outcome) == ("reminder", AttemptOutcome.OK)
    transition = PostTransition.objects.get(post=post)
    assert (transition.by, transition.from_status, transition.to_status) == (
        None,
        S.SCHEDULED,
        S.SENT,
    )

    again = dispatch.dispatch_due()
    assert again.claimed == 0
    assert Reminder.objects.count() == 1


def test_only_due_scheduled_posts_past_their_backoff_are_claimed():
    due = due_post()
    PostFactory(status=S.SCHEDULED, scheduled_at=timezone.now() + dt.timedelta(minutes=5))
    PostFactory(status=S.PENDING_REVIEW, scheduled_at=timezone.now() - dt.timedelta(minutes=5))
    due_post(next_attempt_at=timezone.now() + dt.timedelta(minutes=1))
    token, ids = dispatch.claim_batch()
    assert ids == [due.pk]
    assert MomentPost.objects.get(pk=due.pk).claim_token == token


def test_a_live_lease_is_not_claimed_twice_but_an_expired_one_is(settings):
    post = due_post()
    _, first = dispatch.claim_batch()
    _, second = dispatch.claim_batch()
    assert (first, second) == ([post.pk], [])
    with time_machine.travel(
        timezone.now() + dt.timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS + 1)
    ):
        token, third = dispatch.claim_batch()
    assert third == [post.pk]
    assert MomentPost.objects.get(pk=post.pk).claim_token == token


def test_a_post_whose_worker_died_after_publishing_is_resent_with_the_same_key(settings):
    post = due_post()
    token, _ = dispatch.claim_batch()
    # The dead worker got as far as publishing: its reminder exists, the post is not recorded.
    ReminderPublisher().publish(post=post, idempotency_key=post.idempotency_key)
    later = timezone.now() + dt.timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        report = dispatch.dispatch_due()
    assert report.sent == 1
    post.refresh_from_db()
    assert post.status == S.SENT and post.claim_token != token
    assert Reminder.objects.filter(post=post).count() == 1


def test_the_old_lease_holder_cannot_record_after_losing_the_post(settings):
    post = due_post()
    old_token, _ = dispatch.claim_batch()
    later = timezone.now() + dt.timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        dispatch.claim_batch()
    report = dispatch.TickReport()
    dispatch.dispatch_batch(old_token, [post.pk], report)
    assert report.lost_lease == 1 and report.sent == 0
    assert not Reminder.objects.exists()


def test_a_batch_is_recorded_as_one_group_in_a_constant_number_of_statements(settings, monkeypatch):
    monkeypatch.setattr(dispatch, "RECORD_WITHIN_SECONDS", 60)  # a slow test machine
    settings.SCHEDULER_BATCH_SIZE = 100
    counts = []
    for n in (5, 25):
        posts = [due_post() for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            assert dispatch.dispatch_due().sent == n
        counts.append(len(queries))
        # One group, one record: every "sent" of the batch carries the same instant.
        assert len({t.at for t in PostTransition.objects.filter(post__in=posts)}) == 1
        assert DispatchAttempt.objects.filter(post__in=posts).count() == n
    # What grows with the batch is the reminder publisher's own insert (in its savepoint).
    assert counts[1] - counts[0] == 3 * 20


def test_a_slow_publishers_posts_are_recorded_one_by_one(settings):
    settings.SCHEDULER_TEST_PUBLISH_DELAY = dispatch.RECORD_WITHIN_SECONDS + 0.05
    posts = [due_post() for _ in range(3)]
    assert dispatch.dispatch_due().sent == 3
    assert len({t.at for t in PostTransition.objects.filter(post__in=posts)}) == 3


def test_a_group_records_only_the_posts_still_ours(settings):
    posts = [due_post(), due_post()]
    token, ids = dispatch.claim_batch()
    loaded = MomentPost.objects.select_related("persona__owner").in_bulk(ids)
    report = dispatch.TickReport()
    published = [(loaded[pk], dispatch.publish_post(loaded[pk], token, report)) for pk in ids]
    # Meanwhile our lease ran out and another worker claimed one of the two.
    later = timezone.now() + dt.timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        rescuer, [taken] = dispatch.claim_batch(size=1)
    dispatch.record_sent(published, token, report)
    assert (report.sent, report.lost_lease) == (1, 1)
    [kept] = [p for p in posts if p.pk != taken]
    statuses = dict(MomentPost.objects.values_list("pk", "status"))
    assert statuses == {kept.pk: S.SENT, taken: S.SCHEDULED}
    assert MomentPost.objects.get(pk=taken).claim_token == rescuer
    assert list(DispatchAttempt.objects.values_list("post", flat=True)) == [kept.pk]
    assert list(PostTransition.objects.values_list("post", flat=True)) == [kept.pk]


def test_a_success_an_earlier_lease_holder_stored_is_kept_once():
    post = due_post()
    token, [claimed] = dispatch.claim_batch()
    assert claimed == post.pk
    report = dispatch.TickReport()
    loaded = MomentPost.objects.select_related("persona__owner").get(pk=post.pk)
    published = [(loaded, dispatch.publish_post(loaded, token, report))]
    # A worker whose lease ran out stored its success with the same key after we looked.
    earlier = DispatchAttempt.objects.create(
        post=post,
        publisher="reminder",
        claim_token=uuid.uuid4(),
        outcome=AttemptOutcome.OK,
        receipt="reminder 1",
        started_at=timezone.now(),
    )
    dispatch.record_sent(published, token, report)
    assert report.sent == 1
    post.refresh_from_db()
    assert post.status == S.SENT
    assert list(DispatchAttempt.objects.filter(post=post)) == [earlier]


def test_a_post_that_now_fails_compliance_is_held_and_the_agent_told():
    post = due_post(text="这款产品紫色大象不赔")
    ComplianceRule.objects.create(
        code="T91", kind="phrases", phrases="紫色大象", severity="block", message="承诺收益"
    )
    report = dispatch.dispatch_due()
    assert report.held == 1 and report.sent == 0
    post.refresh_from_db()
    assert post.status == S.REJECTED and post.has_block
    assert "承诺收益" in post.review_comment
    held = Reminder.objects.get(post=post)
    assert held.kind == ReminderKind.POST_HELD and "承诺收益" in held.text
    assert held.owner == post.persona.owner
    assert not DispatchAttempt.objects.exists()


def test_a_failing_publisher_is_retried_with_backoff_then_failed(settings, robot):
    settings.SCHEDULER_PUBLISHERS = ["wecom_webhook"]
    settings.SCHEDULER_WECOM_WEBHOOK_URL = robot.url
    settings.SCHEDULER_MAX_ATTEMPTS = 3
    settings.SCHEDULER_RETRY_BASE_SECONDS = 60
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    post = due_post()
    start = timezone.now()

    dispatch.dispatch_due()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (S.SCHEDULED, 1)
    assert "93000" in post.last_error
    assert dt.timedelta(seconds=59) < post.next_attempt_at - start < dt.timedelta(seconds=62)
    assert dispatch.dispatch_due().claimed == 0  # backing off

    with time_machine.travel(start + dt.timedelta(seconds=61)):
        dispatch.dispatch_due()
    post.refresh_from_db()
    assert post.attempts == 2
    assert dt.timedelta(seconds=180) < post.next_attempt_at - start < dt.timedelta(seconds=183)

    with time_machine.travel(start + dt.timedelta(seconds=182)):
        dispatch.dispatch_due()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (S.FAILED, 3)
    assert "invalid webhook url" in post.last_error
    assert len(robot.requests) == 3
    assert DispatchAttempt.objects.filter(post=post, outcome=AttemptOutcome.ERROR).count() == 3


def test_the_wecom_robot_gets_the_text_as_json(settings, robot):
    settings.SCHEDULER_PUBLISHERS = ["reminder", "wecom_webhook"]
    settings.SCHEDULER_WECOM_WEBHOOK_URL = robot.url
    post = due_post()
    assert dispatch.dispatch_due().sent == 1
    [request] = robot.requests
    assert request["body"]["msgtype"] == "text"
    assert post.text in request["body"]["text"]["content"]
    assert request["key"] == str(post.idempotency_key)
    assert Reminder.objects.filter(post=post).count() == 1


def test_a_team_with_its_own_robot_gets_its_posts_there(settings, robot):
    settings.SCHEDULER_PUBLISHERS = ["wecom_webhook"]
    settings.SCHEDULER_WECOM_WEBHOOK_URL = "http://127.0.0.1:9/site-wide-robot-not-listening"
    ours = due_post()
    team = LeadFactory().led_team
    team.wecom_webhook_url = robot.url.replace("key=test", "key=team")
    team.save()
    ours.persona.owner.team = team
    ours.persona.owner.save()
    elsewhere = due_post()  # no team: the site-wide robot, which is down

    report = dispatch.dispatch_due()
    assert (report.sent, report.retried) == (1, 1)
    [request] = robot.requests
    assert request["path"].endswith("key=team")
    assert request["key"] == str(ours.idempotency_key)
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.SCHEDULED and "Connection refused" in elsewhere.last_error


def test_a_publisher_already_done_is_not_repeated_on_retry(settings, robot):
    settings.SCHEDULER_PUBLISHERS = ["wecom_webhook", "reminder"]
    settings.SCHEDULER_WECOM_WEBHOOK_URL = robot.url
    settings.SCHEDULER_RETRY_BASE_SECONDS = 60
    settings.SCHEDULER_EMAIL_REMINDERS = True
    post = due_post()
    post.persona.owner.email = "agent@example.com"
    post.persona.owner.save()
    # First tick: the robot takes the post, the reminder's e-mail fails (nothing listens).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    first = timezone.now()
    assert dispatch.dispatch_due().retried == 1
    post.refresh_from_db()
    assert (post.status, post.attempts) == (S.SCHEDULED, 1)
    assert post.last_error.startswith("reminder:")
    assert len(robot.requests) == 1
    assert DispatchAttempt.objects.get(post=post, outcome=AttemptOutcome.OK).publisher == (
        "wecom_webhook"
    )

    # The retry skips the robot (its success is recorded) and sends the e-mail now.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(first + dt.timedelta(seconds=61)):
        assert dispatch.dispatch_due().sent == 1
    post.refresh_from_db()
    assert post.status == S.SENT
    assert len(robot.requests) == 1 and len(mail.outbox) == 1
    assert post.text in mail.outbox[0].body
    assert Reminder.objects.get(post=post).emailed_at is not None
    assert sorted(
        DispatchAttempt.objects.filter(post=post, outcome=AttemptOutcome.OK).values_list(
            "publisher", flat=True
        )
    ) == ["reminder", "wecom_webhook"]


def test_the_unreachable_robot_is_an_error_not_a_crash(settings):
    settings.SCHEDULER_PUBLISHERS = ["wecom_webhook"]
    settings.SCHEDULER_WECOM_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    post = due_post()
    report = dispatch.dispatch_due()
    assert report.retried == 1 and not report.errors
    post.refresh_from_db()
    assert post.last_error.startswith("wecom_webhook:") and "refused" in post.last_error


def test_email_goes_once_even_when_the_post_is_published_twice(settings):
    settings.SCHEDULER_EMAIL_REMINDERS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = due_post()
    post.persona.owner.email = "agent@example.com"
    post.persona.owner.save()
    publisher = ReminderPublisher()
    publisher.publish(post=post, idempotency_key=post.idempotency_key)
    publisher.publish(post=post, idempotency_key=post.idempotency_key)
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(post=post).emailed_at is not None


def test_the_email_links_images_by_the_sites_address(settings):
    settings.SCHEDULER_EMAIL_REMINDERS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL, settings.MEDIA_URL = "https://crm.example.com", "/media/"
    post = due_post(image_paths=["content/1/a.jpg", "content/1/b.jpg"])
    post.persona.owner.email = "agent@example.com"
    post.persona.owner.save()
    ReminderPublisher().publish(post=post, idempotency_key=post.idempotency_key)
    [message] = mail.outbox
    assert message.body.endswith(
        "https://crm.example.com/media/content/1/a.jpg\nhttps://crm.example.com/media/content/1/b.jpg"
    )
    settings.MEDIA_URL = "https://cdn.example.com/m/"  # already absolute: left as it is
    assert media_link("x.jpg") == "https://cdn.example.com/m/x.jpg"


def test_sent_posts_unconfirmed_after_window_and_grace_become_missed(settings):
    settings.SCHEDULER_MISSED_GRACE_MINUTES = 60
    now = timezone.now()
    late = PostFactory(status=S.SENT, window_ends_at=now - dt.timedelta(minutes=61))
    in_grace = PostFactory(status=S.SENT, window_ends_at=now - dt.timedelta(minutes=59))
    posted = PostFactory(status=S.POSTED, window_ends_at=now - dt.timedelta(hours=5))
    assert posts_mark_missed(now=now) == 1
    statuses = {p.pk: p.status for p in MomentPost.objects.all()}
    assert statuses == {late.pk: S.MISSED, in_grace.pk: S.SENT, posted.pk: S.POSTED}
    assert PostTransition.objects.get(post=late).to_status == S.MISSED
