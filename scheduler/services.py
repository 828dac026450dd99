"""Writes on posts and windows. Every status change goes through ``post_transition``.

``post_transition`` is the one state machine: it refuses a move ``workflow.TRANSITIONS`` does not
allow, changes the row with a conditional UPDATE (status still what the caller read, and for
dispatch the claim token still the caller's), and records who, when and why in
``PostTransition``. It also closes the post's reminders about the status it leaves (a ready
post's once it is posted or missed, a held post's once it is resubmitted or cancelled), so the
"today" page and the bell follow whichever path moved the post. The wrappers (``post_submit``,
``post_approve`` ...) add who may do it and what else changes. Refusals raise ``PostRefused``
(a ValidationError: views answer 4xx); losing a race raises ``PostConflict`` (views answer 409).

Where a post may sit is decided by the slot rules of ``scheduler.slots``: the planner chooses
with them, and ``slot_violations`` checks them for every other path that places a post
(``post_move``, ``post_create``, and a sent-back or failed post coming back through
``post_submit`` or ``post_retry``), refusing with one error per broken rule, coded with the
rule's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from content.compliance import Checker
from content.compliance_rules import compliance_checker
from content.models import ContentItem
from content.services import check_text, finding_as_dict
from crm.models import User
from crm.roles import Role
from crm.scoping import sees_everything
from scheduler import slots
from scheduler.models import (
    WEEKDAY_BITS,
    MomentPost,
    PostingWindow,
    PostStatus,
    PostTransition,
    Reminder,
)
from scheduler.workflow import EDITABLE, MOVABLE, TRANSITIONS, Action, statuses_allowing

S = PostStatus


class PostRefused(ValidationError):
    """A change the workflow, the compliance report or the user's role does not allow."""


class PostConflict(PostRefused):
    """The post changed under us (another user, or another dispatch worker): nothing written."""


def _owner(post: MomentPost) -> User:
    return post.persona.owner


def may_edit(user: User | None, post: MomentPost) -> bool:
    """The persona's agent (and administrators) edit, submit, move, cancel and confirm."""
    return user is not None and (user.pk == _owner(post).pk or sees_everything(user))


def may_review(user: User | None, post: MomentPost) -> bool:
    """The lead of the agent's team (and administrators) approve and send back."""
    if user is None:
        return False
    if sees_everything(user):
        return True
    team = _owner(post).team
    return user.role == Role.LEAD and team is not None and team.lead_id == user.pk


def needs_approval(post: MomentPost) -> bool:
    """The team's "posts need the lead's approval" setting; a lead's own posts skip review."""
    owner = _owner(post)
    team = owner.team
    return team is not None and team.posts_need_approval and team.lead_id != owner.pk


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PostRefused(message, code="forbidden")


def _check_move(source: str, target: PostStatus) -> None:
    if target not in TRANSITIONS[source]:
        raise PostRefused(
            _("A post cannot go from %(from)s to %(to)s.")
            % {"from": PostStatus(source).label, "to": target.label},
            code="illegal_transition",
        )


def _moved_fields(source: str, target: PostStatus, now: dt.datetime) -> dict[str, Any]:
    """The fields every move from ``source`` to ``target`` sets, besides the caller's."""
    fields: dict[str, Any] = {"status": target, "updated": now}
    if target == S.SENT:
        fields["sent_at"] = now
    if target == S.POSTED:
        fields["posted_at"] = now
    if source == S.SCHEDULED:
        # Leaving "scheduled" ends any dispatch lease on the row.
        fields.update(claim_token=None, claimed_at=None, next_attempt_at=None)
    if target == S.SCHEDULED:
        fields.update(attempts=0, last_error="", next_attempt_at=None)
    return fields


@transaction.atomic
def post_transition(
    *,
    post: MomentPost,
    to: str,
    by: User | None,
    note: str = "",
    claim_token: Any = None,
    changes: dict[str, Any] | None = None,
) -> MomentPost:
    """Move ``post`` to status ``to`` and record it; returns the post as now stored.

    The UPDATE only matches while the row still has the status the caller read (and, when
    ``claim_token`` is given, the caller's lease), so two concurrent movers cannot both win:
    the loser gets ``PostConflict`` and nothing is written. ``changes`` are further fields
    set in the same UPDATE. ``by`` is None for the system (dispatch, the missed job). The
    post's open reminders about ``post.status`` are closed (``Reminder.close_for_posts``).
    """
    target = PostStatus(to)
    source = post.status
    _check_move(source, target)
    now = timezone.now()
    fields = {**(changes or {}), **_moved_fields(source, target, now)}
    rows = MomentPost.objects.filter(pk=post.pk, status=source)
    if claim_token is not None:
        rows = rows.filter(claim_token=claim_token)
    if rows.update(**fields) != 1:
        raise PostConflict(
            _("This post was changed by someone else; reload and try again."), code="conflict"
        )
    PostTransition.objects.create(
        post=post, at=now, by=by, from_status=source, to_status=target, note=note
    )
    Reminder.objects.close_for_posts([post.pk], left=source, at=now)
    for name, value in fields.items():
        setattr(post, name, value)
    return post


def _value_per_post(posts: Sequence[MomentPost], name: str) -> Case | Cast:
    field = MomentPost._meta.get_field(name)
    case = Case(
        *(When(pk=post.pk, then=Value(getattr(post, field.attname), field)) for post in posts),
        output_field=field,
    )
    return Cast(case, field) if connection.features.requires_casted_case_in_updates else case


@transaction.atomic
def posts_transition(
    *,
    posts: Sequence[MomentPost],
    to: str,
    by: User | None,
    note: str = "",
    claim_token: Any = None,
    changes: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> list[MomentPost]:
    """``post_transition`` for many posts at once, in three statements whatever their number.

    Every post must have the same status in memory. Returns the posts moved: those whose row
    still has that status (and, when ``claim_token`` is given, the caller's lease). The rest
    are left out and nothing is written for them: the batch form of ``PostConflict``. The
    rows moved are locked first (``SELECT ... FOR UPDATE``), so no concurrent mover can take
    one between the check and the writes. ``changes`` are further fields set to the same
    value on every row (expressions such as ``F("attempts") + 1`` allowed; the instances get
    the plain values only); ``fields`` names fields written from each instance, whose values
    may differ per post.
    """
    if not posts:
        return []
    target = PostStatus(to)
    source = posts[0].status
    if any(post.status != source for post in posts):
        raise ValueError("posts_transition moves posts of one status at a time")
    _check_move(source, target)
    rows = MomentPost.objects.filter(pk__in=[post.pk for post in posts], status=source)
    if claim_token is not None:
        rows = rows.filter(claim_token=claim_token)
    matching = set(rows.select_for_update().values_list("pk", flat=True))
    moved = [post for post in posts if post.pk in matching]
    if not moved:
        return []
    now = timezone.now()
    same = {**(changes or {}), **_moved_fields(source, target, now)}
    # One UPDATE: plain values for what is the same on every row, a CASE on the primary key
    # for each per-post field (what bulk_update builds, without a second write of each row).
    per_post = {name: _value_per_post(moved, name) for name in fields}
    MomentPost.objects.filter(pk__in=matching).update(**per_post, **same)
    PostTransition.objects.bulk_create(
        PostTransition(post=post, at=now, by=by, from_status=source, to_status=target, note=note)
        for post in moved
    )
    Reminder.objects.close_for_posts([post.pk for post in moved], left=source, at=now)
    plain = {k: v for k, v in same.items() if not hasattr(v, "resolve_expression")}
    for post in moved:
        for name, value in plain.items():
            setattr(post, name, value)
    return moved


def post_check(*, post: MomentPost, checker: Checker | None = None) -> list[dict[str, Any]]:
    """Check the post's text with the persona's licence and name; store the report on the
    instance (not saved). Afterwards ``post.has_block`` says whether it may go out.
    ``checker`` (from ``compliance_checker()``) lets a caller checking many posts look the
    active rules up once; by default each call does."""
    persona = post.persona
    found = check_text(
        text=post.text,
        category=post.category,
        product_line=post.product_line or None,
        persona_licence=persona.licence_number or None,
        persona_name=persona.nickname or None,
        checker=checker,
    )
    post.findings = [finding_as_dict(f, "text") for f in found]
    post.has_block = any(f["severity"] == "block" for f in post.findings)
    post.checked_at = timezone.now()
    return post.findings


def _check_changes(post: MomentPost) -> dict[str, Any]:
    post_check(post=post)
    return {"findings": post.findings, "has_block": post.has_block, "checked_at": post.checked_at}


def _block_message(post: MomentPost) -> str:
    reasons = "; ".join(f["message"] for f in post.block_findings)
    return _("Compliance blocks this post: %(reasons)s") % {"reasons": reasons}


def post_submit(*, post: MomentPost, by: User) -> MomentPost:
    """Send a draft or sent-back post on: to review, or straight to scheduled when the team
    needs no approval. Re-checked first; refused while a block finding remains, and a
    sent-back post whose slot another post took meanwhile is refused by the slot rules."""
    _require(may_edit(by, post), _("Only the persona's agent can submit this post."))
    _require_slot_kept(post)
    changes = _check_changes(post)
    if post.has_block:
        MomentPost.objects.filter(pk=post.pk).update(**changes)
        raise PostRefused(_block_message(post), code="compliance_block")
    target = S.PENDING_REVIEW if needs_approval(post) else S.SCHEDULED
    return post_transition(post=post, to=target, by=by, note=_("submitted"), changes=changes)


def post_approve(*, post: MomentPost, by: User, comment: str = "") -> MomentPost:
    """The lead approves a post in review: it is scheduled to go out at its time."""
    _require(may_review(by, post), _("Only the team lead can approve this post."))
    changes = _check_changes(post)
    if post.has_block:
        raise PostRefused(_block_message(post), code="compliance_block")
    if post.window_ends_at <= timezone.now():
        raise PostRefused(
            _("This post's window has passed; move it to another window first."), code="past"
        )
    changes.update(review_comment=comment, reviewed_by=by, reviewed_at=timezone.now())
    return post_transition(post=post, to=S.SCHEDULED, by=by, note=comment, changes=changes)


@dataclass(frozen=True)
class BulkResult:
    done: list[MomentPost]
    refused: list[tuple[MomentPost, str]]


def post_approve_many(*, posts: Iterable[MomentPost], by: User, comment: str = "") -> BulkResult:
    """Approve a batch (a whole week); each post on its own, refusals reported with reasons."""
    done, refused = [], []
    for post in posts:
        try:
            done.append(post_approve(post=post, by=by, comment=comment))
        except PostRefused as exc:
            refused.append((post, " ".join(exc.messages)))
    return BulkResult(done, refused)


def post_reject(*, post: MomentPost, by: User, comment: str) -> MomentPost:
    """Send a post back to its agent with the lead's comment (required)."""
    _require(may_review(by, post), _("Only the team lead can send this post back."))
    if not comment.strip():
        raise PostRefused({"comment": [_("Say what to change.")]}, code="required")
    changes = {"review_comment": comment.strip(), "reviewed_by": by, "reviewed_at": timezone.now()}
    return post_transition(post=post, to=S.REJECTED, by=by, note=comment, changes=changes)


def is_editable(post: MomentPost) -> bool:
    """Whether the post's text may still change: a draft, or a post sent back (by the lead, or
    held by the compliance check). Anything further on is what the lead approved."""
    return post.status in EDITABLE


def post_edit(*, post: MomentPost, by: User, text: str, submit: bool = False) -> MomentPost:
    """The agent rewrites a draft or sent-back post; the new text is checked at once and
    stored with its findings (a conditional update: the status is still the one read).

    With ``submit`` the post then goes on as ``post_submit`` sends it (to review, or straight
    to scheduled): the calendar's "save and submit". A block finding in the new text refuses
    that step (``PostRefused``, code ``compliance_block``) while the text and its findings stay
    stored, so nothing the agent typed is lost and the page can show what still blocks it.
    """
    _require(may_edit(by, post), _("Only the persona's agent can edit this post."))
    if not is_editable(post):
        raise PostRefused(_("Only a draft or sent-back post can be edited."), code="not_editable")
    if not text.strip():
        raise PostRefused({"text": [_("The post needs text.")]}, code="required")
    post.text = text
    changes = _check_changes(post)
    updated = MomentPost.objects.filter(pk=post.pk, status=post.status).update(
        text=text, updated=timezone.now(), **changes
    )
    if updated != 1:
        raise PostConflict(_("This post was changed by someone else; reload and try again."))
    if submit:
        return post_submit(post=post, by=by)
    return post


def post_mark_posted(*, post: MomentPost, by: User) -> MomentPost:
    """The agent confirms the post is on Moments; the content item counts one more use."""
    _require(may_edit(by, post), _("Only the persona's agent can confirm this post."))
    with transaction.atomic():
        post = post_transition(post=post, to=S.POSTED, by=by, note=_("confirmed posted"))
        if post.content_id:
            ContentItem.objects.filter(pk=post.content_id).update(
                times_posted=F("times_posted") + 1
            )
    return post


def post_cancel(*, post: MomentPost, by: User, note: str = "") -> MomentPost:
    """The agent (or the lead) drops a post that has not gone out."""
    _require(may_edit(by, post) or may_review(by, post), _("You cannot cancel this post."))
    return post_transition(post=post, to=S.CANCELLED, by=by, note=note or _("cancelled"))


def post_retry(*, post: MomentPost, by: User) -> MomentPost:
    """Schedule a failed post again (after the agent fixed the channel's configuration)."""
    _require(may_edit(by, post), _("Only the persona's agent can retry this post."))
    if post.status not in statuses_allowing(Action.RETRY):  # a draft would skip review
        raise PostRefused(_("Only a failed post can be retried."), code="illegal_transition")
    _require_slot_kept(post)
    return post_transition(post=post, to=S.SCHEDULED, by=by, note=_("retry"))


# ---------------------------------------------------------------------------- slot rules

# Posts that hold their slot on the persona's time line: what the planner keeps or counts as
# history (scheduled, sent, posted, missed; in review), and drafts, which stand until a
# re-plan replaces them. Cancelled posts do not; nor do sent-back and failed ones, which wait
# on the agent and are checked again when they come back (``post_submit``, ``post_retry``).
# Approval checks nothing again: a post in review holds its slot, so every post placed since
# was checked against it.
HOLDS_SLOT = frozenset({S.DRAFT, S.PENDING_REVIEW, S.SCHEDULED, S.SENT, S.POSTED, S.MISSED})
# The form field each rule's refusal is shown on.
_SLOT_RULE_FIELD = {slots.WINDOW_TAKEN: "window"}


def slot_violations(
    *,
    post: MomentPost,
    window: PostingWindow | None,
    day: dt.date,
    at: dt.datetime,
    now: dt.datetime | None,
) -> list[slots.SlotViolation]:
    """The slot rules (``scheduler.slots``) ``post`` would break at ``at`` on local ``day``
    in ``window`` (None: a window since deleted, known by the post's window name, open every
    day), among the persona's other posts that hold a slot. ``now`` None leaves out the
    ``past`` rule (a post that stays where it is). One query.

    Windows are told apart by name, as the calendar's rows are: an agent's own "lunch"
    replaces the team's, so a post in either sits in the same row.
    """
    persona = post.persona
    tz = persona.owner.tzinfo
    around = dt.timedelta(days=slots.LOOKAROUND_DAYS)
    midnight = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    rows = (
        MomentPost.objects.filter(
            persona_id=post.persona_id,
            status__in=HOLDS_SLOT,
            scheduled_at__gte=midnight - around,
            scheduled_at__lt=midnight + dt.timedelta(days=1) + around,
        )
        .exclude(pk=post.pk)
        .values_list("pk", "scheduled_at", "window_name", "category")
    )
    others = [
        slots.SlotPost(
            at=when,
            local_date=when.astimezone(tz).date(),
            window_key=name,
            category=category,
            id=pk,
        )
        for pk, when, name, category in rows
    ]
    candidate = slots.SlotPost(
        at=at,
        local_date=day,
        window_key=window.name if window else post.window_name,
        category=post.category,
        id=post.pk,
    )
    weekdays = (
        {d for d, bit in WEEKDAY_BITS.items() if window.weekdays & bit}
        if window
        else slots.ALL_WEEKDAYS
    )
    return slots.check_slot(
        candidate, others, weekdays=weekdays, nurturing=persona.is_nurturing(day), now=now
    )


def _refuse_slot(violations: Sequence[slots.SlotViolation]) -> None:
    """Refuse a placement that breaks slot rules: one error per rule, coded with its name,
    on the field it concerns (the API adds the codes to the body as ``rule``)."""
    if not violations:
        return
    errors: dict[str, list[ValidationError]] = {}
    for violation in violations:
        field = _SLOT_RULE_FIELD.get(violation.rule, "day")
        errors.setdefault(field, []).append(
            ValidationError(_(violation.message), code=violation.rule)
        )
    raise PostRefused(errors)


def _require_slot_kept(post: MomentPost) -> None:
    """A post coming back into the calendar (sent back, failed) obeys the slot rules where it
    stands, its time aside: another post may have taken its window meanwhile."""
    if post.status in HOLDS_SLOT:
        return
    local = post.scheduled_at.astimezone(post.persona.owner.tzinfo)
    _refuse_slot(
        slot_violations(
            post=post, window=post.window, day=local.date(), at=post.scheduled_at, now=None
        )
    )


# How far ahead a post may be placed by hand (moved or added).
MAX_DAYS_AHEAD = 366


def slot_time(
    *, window: PostingWindow, day: dt.date, tz: Any, minute: int
) -> tuple[dt.datetime, dt.datetime]:
    """The exact time ``minute`` minutes into ``window`` on ``day`` and the window's end.

    A day more than ``MAX_DAYS_AHEAD`` ahead is refused (a typo, not a plan), and a day at the
    calendar's first dates counts as past, so the rules' look-around never leaves the
    calendar's range."""
    if day > timezone.localdate(timezone.now(), tz) + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise PostRefused({"day": [_("Choose a day within the next year.")]}, code="too_far_ahead")
    if day.toordinal() <= slots.LOOKAROUND_DAYS + 1:
        _refuse_slot([slots.SlotViolation(slots.PAST)])
    start, end = window.bounds_on(day, tz)
    at = start + dt.timedelta(minutes=minute)
    if at >= end:
        raise PostRefused(_("That time is outside the window."), code="outside_window")
    return at, end


def _minute_inside(*, window: PostingWindow, day: dt.date, tz: Any, offset: int) -> int:
    """``offset`` minutes into the window, kept strictly inside it (never its first or last
    minute), for ``slot_time``."""
    start, end = window.bounds_on(day, tz)
    length = int((end - start).total_seconds() // 60)
    return min(max(offset, 1), length - 1)


def _lock_persona(persona: Any) -> None:
    """Lock the persona's row (in the caller's transaction) while its posts are checked and
    one is placed, so two placements into one slot at once cannot both pass the check."""
    list(
        type(persona).objects.select_for_update().filter(pk=persona.pk).values_list("pk", flat=True)
    )


def post_move(*, post: MomentPost, by: User, window: PostingWindow, day: dt.date) -> MomentPost:
    """Move a post to another window and/or day, keeping its minute inside the window where it
    fits. The slot rules (``slot_violations``) refuse a slot the post may not take, each
    error coded with the rule. Compliance is checked again; a scheduled post that now fails
    is sent back."""
    _require(may_edit(by, post) or may_review(by, post), _("You cannot move this post."))
    if post.status not in MOVABLE:
        raise PostRefused(_("A post that went out cannot be moved."), code="not_movable")
    owner = _owner(post)
    if window not in PostingWindow.objects.effective_for(owner):
        raise PostRefused({"window": [_("Not one of this agent's windows.")]}, code="window")
    tz = owner.tzinfo
    old_local = post.scheduled_at.astimezone(tz)
    old_start = (
        dt.datetime.combine(old_local.date(), post.window.start, tzinfo=tz)
        if post.window
        else old_local
    )
    offset = int((old_local - old_start).total_seconds() // 60)
    minute = _minute_inside(window=window, day=day, tz=tz, offset=offset)
    scheduled_at, ends_at = slot_time(window=window, day=day, tz=tz, minute=minute)
    changes = _check_changes(post)
    old = f"{old_local:%Y-%m-%d %H:%M} {post.window_name}"
    new = f"{scheduled_at:%Y-%m-%d %H:%M} {window.name}"
    with transaction.atomic():
        _lock_persona(post.persona)
        _refuse_slot(
            slot_violations(post=post, window=window, day=day, at=scheduled_at, now=timezone.now())
        )
        updated = MomentPost.objects.filter(pk=post.pk, status=post.status).update(
            window=window,
            window_name=window.name,
            scheduled_at=scheduled_at,
            window_ends_at=ends_at,
            updated=timezone.now(),
            **changes,
        )
        if updated != 1:
            raise PostConflict(_("This post was changed by someone else; reload and try again."))
        post.window, post.window_name = window, window.name
        post.scheduled_at, post.window_ends_at = scheduled_at, ends_at
        PostTransition.objects.create(
            post=post,
            at=timezone.now(),
            by=by,
            from_status=post.status,
            to_status=post.status,
            note=_("moved from %(old)s to %(new)s") % {"old": old, "new": new},
        )
        if post.has_block and post.status == S.SCHEDULED:
            post = post_transition(
                post=post,
                to=S.REJECTED,
                by=None,
                note=_block_message(post),
                changes={"review_comment": _block_message(post)},
            )
    return post


# Where in its window a new post goes: this many minutes in (a time off the hour, as the
# planner's are), or the next minute when the window is already open.
CREATE_OFFSET_MINUTES = 7


def post_create(
    *,
    by: User,
    persona: Any,
    window: PostingWindow,
    day: dt.date,
    content: ContentItem | None = None,
    title: str = "",
    text: str = "",
    category: str = "",
    product_line: str = "",
) -> MomentPost:
    """The agent puts one post of their own persona into a chosen window on a chosen day.

    From ``content`` (an approved library item in date on ``day``, snapshot as the planner's
    posts are) or from ``text`` with a ``category``. The post goes ``CREATE_OFFSET_MINUTES``
    into the window (the next minute when the window is open now); the slot rules
    (``slot_violations``) refuse a slot it may not take, each error coded with the rule, and
    nothing is written. Checked for compliance, it starts where a planned post does
    (``first_status``). Only the persona's own agent creates: a lead reviews the team's
    posts and plans their weeks, but does not write them.
    """
    owner = persona.owner
    _require(by.pk == owner.pk, _("Only the persona's agent can add a post to it."))
    if window not in PostingWindow.objects.effective_for(owner):
        raise PostRefused({"window": [_("Not one of this agent's windows.")]}, code="window")
    if content is not None:
        if text.strip():
            raise PostRefused(
                {"text": [_("Choose a content item or write the text, not both.")]}, code="both"
            )
        if not ContentItem.objects.sendable(day).filter(pk=content.pk).exists():
            raise PostRefused(
                {"content": [_("Choose an approved item of the library, in date on that day.")]},
                code="content",
            )
        fields = content_snapshot(item=content, persona=persona)
    else:
        if not text.strip():
            raise PostRefused(
                {"text": [_("Write the post, or choose a content item.")]}, code="required"
            )
        if not category:
            raise PostRefused({"category": [_("Choose a category.")]}, code="required")
        fields = {
            "content": None,
            "title": title.strip(),
            "text": snapshot_text(body=text.strip(), category=category, persona=persona),
            "image_paths": [],
            "category": category,
            "product_line": product_line,
        }
    tz = owner.tzinfo
    now = timezone.now()
    start, _end = window.bounds_on(day, tz)
    offset = CREATE_OFFSET_MINUTES
    if start < now:  # the window may be open now: its next minute, if any is left
        offset = max(offset, int((now - start).total_seconds() // 60) + 1)
    minute = _minute_inside(window=window, day=day, tz=tz, offset=offset)
    scheduled_at, ends_at = slot_time(window=window, day=day, tz=tz, minute=minute)
    post = MomentPost(
        persona=persona,
        **fields,
        window=window,
        window_name=window.name,
        scheduled_at=scheduled_at,
        window_ends_at=ends_at,
        created_by=by,
    )
    with transaction.atomic():
        _lock_persona(persona)
        _refuse_slot(slot_violations(post=post, window=window, day=day, at=scheduled_at, now=now))
        post_check(post=post)
        post.status = first_status(post)
        post.save()
        PostTransition.objects.create(
            post=post,
            at=timezone.now(),
            by=by,
            from_status=S.DRAFT,
            to_status=post.status,
            note=_("added to the calendar"),
        )
        if post.content_id:
            ContentItem.objects.filter(pk=post.content_id).update(
                times_scheduled=F("times_scheduled") + 1
            )
    return post


def missed_grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SCHEDULER_MISSED_GRACE_MINUTES)


def posts_mark_missed(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Sent posts not confirmed by their window's end plus the grace period become missed.

    Returns how many changed. Safe to run concurrently: each row moves by a conditional
    update, and a row another run (or the agent's "posted") took first is skipped.
    """
    cutoff = (now or timezone.now()) - missed_grace()
    due = list(
        MomentPost.objects.filter(status=S.SENT, window_ends_at__lt=cutoff).order_by(
            "window_ends_at", "pk"
        )[:limit]
    )
    moved = 0
    for post in due:
        try:
            post_transition(post=post, to=S.MISSED, by=None, note=_("not confirmed in time"))
            moved += 1
        except PostConflict:
            continue
    return moved


# ------------------------------------------------------------------------------ planning


@dataclass(frozen=True)
class PlanResult:
    """What ``plan_week`` did: the posts it created, the slots it left empty (with reasons
    in the user's language), and the posts a re-plan replaced (now cancelled)."""

    created: list[MomentPost]
    unfilled: list[dict[str, Any]]
    kept: int
    replaced: int


def plan_week(
    *,
    persona: Any,
    start: dt.date,
    days: int = 7,
    seed: int = 0,
    by: User | None = None,
    library: list | None = None,
    include_past: bool = False,
) -> PlanResult:
    """Plan ``days`` local days of posts for ``persona`` from ``start`` and write them.

    The planner obeys the slot rules (``scheduler.slots``), slots already past included:
    those stay empty. Approved (scheduled), sent, posted and missed posts in the range stay
    where they are;
    drafts, posts in review and sent-back posts in the range are cancelled and replaced.
    Each new post is a snapshot of its content item (text and image paths) checked for
    compliance with the persona's licence and name: a clean post goes to review (or straight
    to scheduled when the team needs no approval), one with a block finding stays a draft
    for the agent to fix. Deterministic for a given ``seed`` and database state.
    ``include_past`` plans the slots already past too: for seeding a week of demo history
    only, never for a user's request.
    """
    from scheduler import planner
    from scheduler.reasons import reason_text
    from scheduler.selectors import content_for_posts, plan_request_for

    if not 1 <= days <= 31:
        raise PostRefused({"days": [_("Plan between 1 and 31 days.")]}, code="days")
    if by is not None and not (by.pk == persona.owner_id or may_review_agent(by, persona.owner)):
        raise PostRefused(_("You cannot plan for this persona."), code="forbidden")
    loaded = plan_request_for(persona=persona, start=start, days=days, seed=seed, library=library)
    # The slot rules' "not in the past": this week's slots already gone stay empty.
    if not include_past:
        loaded.request = replace(loaded.request, not_before=timezone.now())
    result = planner.plan(loaded.request)
    items = content_for_posts({p.content_id for p in result.posts})
    tz = persona.owner.tzinfo
    checker = compliance_checker()
    with transaction.atomic():
        for old in loaded.replaceable:
            old.persona = persona
            try:
                post_transition(post=old, to=S.CANCELLED, by=by, note=_("replaced by a new plan"))
            except PostConflict:
                continue
        posts = []
        for planned in result.posts:
            item = items[planned.content_id]
            window = loaded.windows[planned.window_key]
            post = MomentPost(
                persona=persona,
                **content_snapshot(item=item, persona=persona),
                window=window,
                window_name=window.name,
                scheduled_at=planned.at,
                window_ends_at=window.bounds_on(planned.local_date, tz)[1],
                plan_reason=reason_text(planned.reasons),
                created_by=by,
            )
            post_check(post=post, checker=checker)
            post.status = first_status(post)
            posts.append(post)
        MomentPost.objects.bulk_create(posts)
        now = timezone.now()
        PostTransition.objects.bulk_create(
            PostTransition(
                post=post,
                at=now,
                by=by,
                from_status=S.DRAFT,
                to_status=post.status,
                note=_("planned: %(reason)s") % {"reason": post.plan_reason},
            )
            for post in posts
            if post.status != S.DRAFT
        )
        uses: dict[int, int] = {}
        for post in posts:
            uses[post.content_id] = uses.get(post.content_id, 0) + 1
        for content_id, count in uses.items():
            ContentItem.objects.filter(pk=content_id).update(
                times_scheduled=F("times_scheduled") + count
            )
    windows = loaded.windows
    unfilled = [
        {
            "date": slot.local_date.isoformat(),
            "window": windows[slot.window_key].name if slot.window_key in windows else "",
            "window_id": int(slot.window_key) if slot.window_key.isdigit() else None,
            "reason_code": slot.reason_code,
            "reason": reason_text(slot.reasons),
        }
        for slot in result.unfilled
    ]
    return PlanResult(
        created=posts,
        unfilled=unfilled,
        kept=len(loaded.request.kept),
        replaced=len(loaded.replaceable),
    )


def content_snapshot(*, item: ContentItem, persona: Any) -> dict[str, Any]:
    """The fields a new post copies from its content item (the planner's and ``post_create``'s
    posts alike): a snapshot, so a later edit of the library item does not change a post.
    ``item.images`` is read in order (prefetched by ``content_for_posts``)."""
    return {
        "content": item,
        "title": item.title,
        "text": snapshot_text(body=item.body, category=item.category, persona=persona),
        "image_paths": [image.image.name for image in item.images.all()],
        "category": item.category,
        "product_line": item.product_line,
    }


def first_status(post: MomentPost) -> PostStatus:
    """Where a new, checked post starts: a draft while a block finding stands (the agent fixes
    it), else in review, or straight to scheduled when the team needs no approval."""
    if post.has_block:
        return S.DRAFT
    return S.PENDING_REVIEW if needs_approval(post) else S.SCHEDULED


def snapshot_text(*, body: str, category: str, persona: Any) -> str:
    """The text a post takes from its content item. An ad gets the persona's signature line
    with the licence number (the law wants it on every ad, and the shared library cannot
    carry each agent's number), unless the text already carries it."""
    if category != "ad" or not persona.licence_number or persona.licence_number in body:
        return body
    return f"{body}\n——\n{persona.nickname}｜执业证编号：{persona.licence_number}"


def may_review_agent(user: User, agent: User) -> bool:
    """The agent's team lead (or an administrator)."""
    if sees_everything(user):
        return True
    return user.role == Role.LEAD and agent.team_id is not None and agent.team.lead_id == user.pk


# ------------------------------------------------------------------------------- windows


def may_change_window(user: User, window: PostingWindow) -> bool:
    """Own windows: the agent. Team windows: the team's lead. Global ones: administrators."""
    if sees_everything(user):
        return True
    if window.owner_id:
        return window.owner_id == user.pk
    if window.team_id:
        return window.team.lead_id == user.pk
    return False


def _window_name_free(window: PostingWindow) -> None:
    same = PostingWindow.objects.filter(name=window.name, owner=window.owner, team=window.team)
    if window.owner_id:
        same = PostingWindow.objects.filter(name=window.name, owner=window.owner)
    if same.exclude(pk=window.pk).exists():
        raise PostRefused({"name": [_("There is already a window with this name here.")]})


@transaction.atomic
def window_create(
    *,
    by: User,
    name: str,
    start: dt.time,
    end: dt.time,
    weekdays: int = 0b1111111,
    active: bool = True,
    for_team: bool = False,
) -> PostingWindow:
    """A window of the agent's own (an override by name, or an extra window), or with
    ``for_team`` a default for the team the caller leads."""
    window = PostingWindow(
        name=name.strip(), start=start, end=end, weekdays=weekdays, active=active
    )
    if for_team:
        team = getattr(by, "led_team", None) if by.role == Role.LEAD else None
        if team is None:
            raise PostRefused(_("Only a team lead can set the team's windows."), code="forbidden")
        window.team = team
    else:
        window.owner = by
    window.full_clean(validate_unique=False, validate_constraints=False)
    _window_name_free(window)
    window.save()
    return window


@transaction.atomic
def window_update(*, window: PostingWindow, by: User, **fields: Any) -> PostingWindow:
    """Change a window the caller may change; posts already planned keep their times."""
    _require(may_change_window(by, window), _("You cannot change this window."))
    for name in ("name", "start", "end", "weekdays", "active"):
        if name in fields:
            setattr(window, name, fields[name])
    window.full_clean(validate_unique=False, validate_constraints=False)
    _window_name_free(window)
    window.save()
    return window


def window_delete(*, window: PostingWindow, by: User) -> None:
    """Delete a window the caller may change; its posts keep their time and window name."""
    _require(may_change_window(by, window), _("You cannot delete this window."))
    window.delete()
