"""Dispatch: send every due post exactly once, however many workers and beats run.

The database is the source of truth for what is due. Celery beat only sends "go look" ticks
(``scheduler.tasks.dispatch_due``) every minute; no due time ever travels as a broker ETA or
countdown, so a lost tick delays posts by one minute and a duplicated tick doubles nothing.

Protocol, per tick (``dispatch_due``):

1. **Claim.** In one short transaction, select up to ``SCHEDULER_BATCH_SIZE`` rows that are
   ``scheduled``, due (``scheduled_at <= now``), past any retry back-off (``next_attempt_at``)
   and either unclaimed or whose lease expired (``claimed_at`` older than
   ``SCHEDULER_LEASE_SECONDS``), with ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent
   claimers take disjoint rows without waiting; stamp them with a fresh ``claim_token`` and
   ``claimed_at`` by a conditional UPDATE that repeats the same conditions. The rows carrying
   our token after commit are ours. (On SQLite, which has no row locks, the conditional
   UPDATE alone decides.)
2. **Renew, re-check.** While working through the batch, renew the lease on the remaining
   posts (and on those published but not yet recorded) every quarter lease with a
   conditional UPDATE (token still ours, still scheduled);
   a post no longer ours was taken by another worker after our lease expired, and we leave
   it. Compliance is checked again with the persona's
   licence and name: a post that now has a block finding is *held*: moved back to the agent
   (status ``rejected`` with the reason as the review comment) and the agent gets a "held"
   reminder on the dashboard. Nothing is published.
3. **Publish** through each configured publisher with the post's ``idempotency_key`` (fixed
   when the post was created). A publisher that already has a recorded success for this post
   is skipped.
4. **Record** published posts in groups, one transaction per group: ``scheduled -> sent``
   through ``posts_transition``, which locks the group's rows that are still ``scheduled``
   and still carry our claim token (``SELECT ... FOR UPDATE``) and moves exactly those in
   one UPDATE, and a ``DispatchAttempt`` "ok" row per publisher for those posts only (a
   unique partial constraint allows one per post and publisher; a duplicate is dropped). A
   post no longer ours was taken by a worker whose claim came after our lease expired; we
   write nothing for it and that worker records it. A group is recorded when the batch ends
   or once its first publication is ``RECORD_WITHIN_SECONDS`` old, so a slow publisher's
   posts are recorded one by one, right after each went out.
   On a publisher error the row stays ``scheduled`` with ``attempts + 1``, ``last_error`` and
   ``next_attempt_at = now + base * 2^(attempts-1)``, and the lease is released; after
   ``SCHEDULER_MAX_ATTEMPTS`` the post moves to ``failed`` with the error shown to the agent.

A worker that dies mid-send (SIGKILL, OOM, host lost) leaves its rows ``scheduled`` with its
token: the post it was publishing and the published posts of its unrecorded group (at most
``RECORD_WITHIN_SECONDS`` worth, never more than a batch). Nothing is lost: once the lease
expires, the next tick on any worker claims them again and publishes with the *same*
idempotency key. The reminder publisher keys its Reminder row on it (unique), so each post
still ends with exactly one reminder (the rescuer's attempt says "existing"); a success that
was recorded before the death is not repeated at all.

Celery's acks-late redelivery of the dead worker's tick is harmless for the same reasons.

Cost: one commit per sent post (the reminder publisher's row), plus per batch one claim
and one record per group (the same few statements whatever its size); see
bench/dispatch.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from content.compliance import Checker
from content.compliance_rules import compliance_checker
from scheduler.models import (
    AttemptOutcome,
    DispatchAttempt,
    MomentPost,
    PostStatus,
    Reminder,
    ReminderKind,
)
from scheduler.publishers import PublishError, configured_publishers
from scheduler.services import PostConflict, post_check, post_transition, posts_transition

log = logging.getLogger(__name__)

# How long a published post may wait to be recorded with others. Short, because until then
# the agent sees the reminder beside a post still "scheduled", and a worker dying in that
# gap makes the rescuer publish it again (same key). Fast publishers fill a whole batch in
# less; a slow one (a webhook) is recorded post by post, where a commit costs little.
RECORD_WITHIN_SECONDS = 0.2


@dataclass
class TickReport:
    """What one tick did: counts, for logs and the benchmark."""

    claimed: int = 0
    sent: int = 0
    held: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return (
        Q(status=PostStatus.SCHEDULED, scheduled_at__lte=now)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))
    )


def claim_batch(
    *, size: int | None = None, now: dt.datetime | None = None
) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ``size`` due posts for this caller; returns the claim token and their ids.

    Disjoint from every concurrent claim (row locks skipped, not waited for) and from every
    live lease.
    """
    now = now or timezone.now()
    size = size or settings.SCHEDULER_BATCH_SIZE
    token = uuid.uuid4()
    with transaction.atomic():
        candidates = list(
            MomentPost.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("scheduled_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not candidates:
            return token, []
        MomentPost.objects.filter(_claimable(now), pk__in=candidates).update(
            claim_token=token, claimed_at=now
        )
    ids = list(
        MomentPost.objects.filter(claim_token=token)
        .order_by("scheduled_at", "pk")
        .values_list("pk", flat=True)
    )
    return token, ids


def _renew(ids: list[int], token: uuid.UUID) -> set[int]:
    """Extend our lease on the batch's remaining posts; returns the ids still ours."""
    mine = MomentPost.objects.filter(pk__in=ids, status=PostStatus.SCHEDULED, claim_token=token)
    mine.update(claimed_at=timezone.now())
    return set(mine.values_list("pk", flat=True))


def _hold(post: MomentPost, token: uuid.UUID) -> bool:
    """Send the post back to its agent: the send-time check found a block."""
    reasons = "; ".join(f["message"] for f in post.block_findings)
    note = _("Held at send time by compliance: %(reasons)s") % {"reasons": reasons}
    try:
        with transaction.atomic():
            post_transition(
                post=post,
                to=PostStatus.REJECTED,
                by=None,
                note=note,
                claim_token=token,
                changes={
                    "review_comment": note,
                    "reviewed_by": None,
                    "reviewed_at": timezone.now(),
                    "findings": post.findings,
                    "has_block": True,
                    "checked_at": post.checked_at,
                },
            )
            Reminder.objects.create(
                owner=post.persona.owner,
                post=post,
                kind=ReminderKind.POST_HELD,
                text=note,
                image_paths=[],
            )
    except PostConflict:
        return False
    return True


def _record_successes(successes: list[DispatchAttempt]) -> None:
    """Store publishers' successes one by one, so a retry does not repeat them; a success
    another worker already stored (the unique constraint) is dropped."""
    for attempt in successes:
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            continue


def publish_post(
    post: MomentPost,
    token: uuid.UUID,
    report: TickReport,
    *,
    publishers: list | None = None,
    done: set[str] | None = None,
    checker: Checker | None = None,
) -> list[DispatchAttempt] | None:
    """Steps 2 and 3 of the protocol for one claimed post (its lease renewed by the caller).

    Returns the publishers' successes (unsaved) when every publisher succeeded: the caller
    records them with the post's "sent" (step 4, ``record_sent``). Returns None when the post
    was held, retried or failed instead; those outcomes are recorded here.
    """
    publishers = configured_publishers() if publishers is None else publishers
    if done is None:
        done = set(
            DispatchAttempt.objects.filter(post=post, outcome=AttemptOutcome.OK).values_list(
                "publisher", flat=True
            )
        )
    post_check(post=post, checker=checker)
    if post.has_block:
        if _hold(post, token):
            report.held += 1
        else:
            report.lost_lease += 1
        return None
    worker = f"{socket.gethostname()}:{os.getpid()}"
    successes: list[DispatchAttempt] = []
    for publisher in publishers:
        if publisher.name in done:
            continue
        started = timezone.now()
        try:
            receipt = publisher.publish(post=post, idempotency_key=post.idempotency_key)
        except PublishError as exc:
            DispatchAttempt.objects.create(
                post=post,
                publisher=publisher.name,
                claim_token=token,
                worker=worker,
                outcome=AttemptOutcome.ERROR,
                error=str(exc),
                started_at=started,
                finished_at=timezone.now(),
            )
            _record_successes(successes)
            error = f"{publisher.name}: {exc}"
            log.warning("post %s: publish failed: %s", post.pk, error)
            _retry_or_fail(post, token, error, report)
            return None
        successes.append(
            DispatchAttempt(
                post=post,
                publisher=publisher.name,
                claim_token=token,
                worker=worker,
                outcome=AttemptOutcome.OK,
                receipt=receipt[:200],
                started_at=started,
                finished_at=timezone.now(),
            )
        )
    return successes


def record_sent(
    published: list[tuple[MomentPost, list[DispatchAttempt]]],
    token: uuid.UUID,
    report: TickReport,
) -> None:
    """Step 4 for a group of published posts, in one transaction: "sent" for every post still
    ours (``posts_transition``: rows locked, status still ``scheduled``, our claim token) and
    the successes of those posts. A post no longer ours is left to whoever holds it now.

    A success another worker already stored for the same post and publisher (the unique
    partial constraint) is dropped, not an error: it can only be the same publication (same
    idempotency key), stored by a worker whose lease ran out after it published.
    """
    if not published:
        return
    with transaction.atomic():
        sent = posts_transition(
            posts=[post for post, _successes in published],
            to=PostStatus.SENT,
            by=None,
            note=_("sent"),
            claim_token=token,
            changes={"has_block": False, "attempts": F("attempts") + 1, "last_error": ""},
            fields=("findings", "checked_at"),  # the send-time check, per post
        )
        ours = {post.pk for post in sent}
        DispatchAttempt.objects.bulk_create(
            [attempt for post, successes in published if post.pk in ours for attempt in successes],
            ignore_conflicts=True,
        )
    for post in sent:
        post.attempts += 1
    report.sent += len(sent)
    # Another worker took these after our lease expired; it records them (or has).
    report.lost_lease += len(published) - len(sent)


def _retry_or_fail(post: MomentPost, token: uuid.UUID, error: str, report: TickReport) -> None:
    attempts = post.attempts + 1
    if attempts >= settings.SCHEDULER_MAX_ATTEMPTS:
        try:
            post_transition(
                post=post,
                to=PostStatus.FAILED,
                by=None,
                note=error,
                claim_token=token,
                changes={"attempts": attempts, "last_error": error},
            )
            report.failed += 1
        except PostConflict:
            report.lost_lease += 1
        return
    backoff = settings.SCHEDULER_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    updated = MomentPost.objects.filter(
        pk=post.pk, status=PostStatus.SCHEDULED, claim_token=token
    ).update(
        attempts=attempts,
        last_error=error,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=backoff),
        claim_token=None,
        claimed_at=None,
        updated=timezone.now(),
    )
    if updated:
        report.retried += 1
    else:
        report.lost_lease += 1


def dispatch_batch(token: uuid.UUID, ids: list[int], report: TickReport) -> None:
    """Send the claimed posts in order: one query loads them all, one finds what was already
    published; the lease is renewed every quarter lease so a long batch keeps its posts.

    Published posts are recorded in groups (``record_sent``): when the batch ends, or once
    the group's first publication is ``RECORD_WITHIN_SECONDS`` old, so a slow publisher
    still has each post recorded right after it went out."""
    posts = {
        post.pk: post
        for post in MomentPost.objects.select_related("persona__owner__team").filter(
            pk__in=ids, status=PostStatus.SCHEDULED, claim_token=token
        )
    }
    done: dict[int, set[str]] = defaultdict(set)
    for post_id, name in DispatchAttempt.objects.filter(
        post__in=ids, outcome=AttemptOutcome.OK
    ).values_list("post", "publisher"):
        done[post_id].add(name)
    publishers = configured_publishers()
    checker = compliance_checker()  # the active rules, looked up once per batch
    renew_every = settings.SCHEDULER_LEASE_SECONDS / 4
    renewed = time.monotonic()
    published: list[tuple[MomentPost, list[DispatchAttempt]]] = []
    oldest = 0.0  # when the group's first publication began
    for index, post_id in enumerate(ids):
        if time.monotonic() - renewed > renew_every:
            # The published posts waiting to be recorded keep their lease too.
            mine = _renew([p.pk for p, _ in published] + ids[index:], token)
            renewed = time.monotonic()
            for lost in set(ids[index:]) - mine:
                posts.pop(lost, None)
        post = posts.get(post_id)
        if post is None:
            report.lost_lease += 1
            continue
        began = time.monotonic()
        try:
            successes = publish_post(
                post, token, report, publishers=publishers, done=done[post_id], checker=checker
            )
        except Exception as exc:
            # One broken post must not stop the batch; its lease expires and a later tick
            # retries it. The error is in the log.
            log.exception("post %s: dispatch crashed", post_id)
            report.errors.append(f"{post_id}: {exc}")
            continue
        if successes is not None:
            if not published:
                oldest = began
            published.append((post, successes))
        if published and time.monotonic() - oldest >= RECORD_WITHIN_SECONDS:
            _record_group(published, token, report)
            published = []
    _record_group(published, token, report)


def _record_group(
    published: list[tuple[MomentPost, list[DispatchAttempt]]],
    token: uuid.UUID,
    report: TickReport,
) -> None:
    try:
        record_sent(published, token, report)
    except Exception as exc:
        # Nothing of the group was written: its posts stay ours until the lease expires,
        # then a later tick publishes them again with the same keys. The error is in the log.
        log.exception("posts %s: recording failed", [post.pk for post, _ in published])
        report.errors.append(f"{[post.pk for post, _ in published]}: {exc}")


def dispatch_due(*, budget_seconds: float | None = None) -> TickReport:
    """One tick: claim and send batches of due posts until none is left or the time budget
    is spent (at least one batch). Safe to run any number of times concurrently."""
    budget = settings.SCHEDULER_TICK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = TickReport()
    while True:
        token, ids = claim_batch()
        if not ids:
            break
        report.batches += 1
        report.claimed += len(ids)
        dispatch_batch(token, ids, report)
        if time.monotonic() >= deadline:
            break
    return report
