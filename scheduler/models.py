"""Posting windows, Moment posts, their history, dispatch attempts and dashboard reminders.

A post's ``status`` changes only through ``scheduler.services.post_transition`` (the state
machine); dispatch claims due rows with the ``claim_token`` / ``claimed_at`` lease described in
``scheduler.dispatch``.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import TYPE_CHECKING, Any, NamedTuple, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from content.models import Category
from crm.roles import Role
from crm.scoping import OwnedQuerySet, sees_everything

if TYPE_CHECKING:
    from crm.models import User

# Days of the week as bits, Monday first (date.weekday() == bit index).
WEEKDAY_BITS = {day: 1 << day for day in range(7)}
EVERY_DAY = 0b1111111

# The seed's golden hours, created as global windows by migration 0002. Their names are keys;
# these labels show them in the user's language.
DEFAULT_WINDOW_LABELS = {
    "commute": _("Commute"),
    "lunch": _("Lunch"),
    "bedtime": _("Bedtime"),
}


def window_label(name: str) -> str:
    """A window's name for people: the seed's default windows are translated, others as typed."""
    return str(DEFAULT_WINDOW_LABELS.get(name, name))


class PostingWindowQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """Windows a user may read: the global defaults, their team's, and their own.

        A team lead also sees the windows of the agents in the team they lead. Administrators
        see every window. Anyone else (curator, inactive, anonymous) sees only the defaults.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        visible = Q(owner__isnull=True, team__isnull=True)
        if user.role in (Role.AGENT, Role.LEAD):
            visible |= Q(owner=user)
            if user.team_id:
                visible |= Q(team_id=user.team_id, owner__isnull=True)
        if user.role == Role.LEAD:
            visible |= Q(owner__team__lead=user) | Q(team__lead=user)
        return self.filter(visible)

    def global_defaults(self) -> Self:
        return self.filter(owner__isnull=True, team__isnull=True)

    def effective_for(self, agent: User) -> list[PostingWindow]:
        """The windows an agent posts in, earliest first.

        Layered by name: the global defaults, replaced or extended by the agent's team's
        windows, replaced or extended by the agent's own. A layer's row with ``active`` off
        removes the window of that name (an agent who never posts at lunch). One query.
        """
        return _effective(list(self._layers_for(agent)))

    def effective_labels_for(self, agent: User) -> list[tuple[str, str]]:
        """(name, label) of the windows :meth:`effective_for` gives, in its order, read as
        plain rows rather than models: all a calendar's rows show. One query."""
        rows = [WindowLayer._make(row) for row in self.layer_rows_for(agent)]
        return effective_labels(rows)

    def layer_rows_for(self, agent: User) -> Self:
        """The rows :meth:`effective_labels_for` layers, as a ``values_list`` of the
        ``WindowLayer`` fields (to read together with other reads)."""
        return self._layers_for(agent).values_list(*WindowLayer._fields)

    def _layers_for(self, agent: User) -> Self:
        return self.filter(
            Q(owner__isnull=True, team__isnull=True)
            | Q(owner__isnull=True, team_id=agent.team_id)
            | Q(owner=agent)
        ).order_by("start", "pk")


def _level(owner_id: int | None, team_id: int | None) -> int:
    """0 global, 1 team, 2 agent: higher levels override lower ones by name."""
    if owner_id:
        return 2
    return 1 if team_id else 0


class WindowLayer(NamedTuple):
    """A window row as :meth:`PostingWindowQuerySet.effective_labels_for` reads it."""

    name: str
    start: dt.time
    team_id: int | None
    owner_id: int | None
    active: bool

    @property
    def level(self) -> int:
        return _level(self.owner_id, self.team_id)


def effective_labels(rows: list[WindowLayer]) -> list[tuple[str, str]]:
    """(name, label) of the effective windows of ``rows`` (an agent's layers, in (start, pk)
    order): what :meth:`PostingWindowQuerySet.effective_labels_for` gives."""
    return [(window.name, window_label(window.name)) for window in _effective(rows)]


def _effective(rows: list[Any]) -> list[Any]:
    """The layering of :meth:`PostingWindowQuerySet.effective_for` over ``rows`` (windows or
    :class:`WindowLayer` rows, in (start, pk) order)."""
    layers: dict[str, Any] = {}
    for level in (0, 1, 2):
        for window in rows:
            if window.level == level:
                layers[window.name] = window
    windows = [w for w in layers.values() if w.active]
    return sorted(windows, key=lambda w: (w.start, w.name))


class PostingWindow(models.Model):
    """A named time range in the agent's local day (07:30-09:00 "commute") on chosen weekdays.

    Global when neither ``team`` nor ``owner`` is set; a team's default when only ``team`` is
    set; an agent's own override or extra window when ``owner`` is set. A window lies inside
    one day (``start < end``): the seed's golden hours all do, and it keeps "which day does
    this post belong to" unambiguous.
    """

    name = models.CharField(_("name"), max_length=40)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    weekdays = models.PositiveSmallIntegerField(
        _("weekdays"), default=EVERY_DAY, help_text=_("Bit mask, Monday = 1, Sunday = 64.")
    )
    team = models.ForeignKey(
        "crm.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="posting_windows",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="posting_windows",
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Off: this layer removes the window of this name.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PostingWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting window")
        verbose_name_plural = _("posting windows")
        ordering = ["start", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="window_start_before_end"),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=EVERY_DAY), name="window_weekdays_mask"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(owner__isnull=True, team__isnull=True),
                name="window_unique_global_name",
            ),
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(owner__isnull=True, team__isnull=False),
                name="window_unique_team_name",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=Q(owner__isnull=False),
                name="window_unique_owner_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError({"end": _("A window ends after it starts, on the same day.")})
        if self.owner_id and self.team_id:
            raise ValidationError(_("A window belongs to an agent or to a team, not both."))

    @property
    def label(self) -> str:
        return window_label(self.name)

    @property
    def level(self) -> int:
        """0 global, 1 team, 2 agent: higher levels override lower ones by name."""
        return _level(self.owner_id, self.team_id)

    def contains(self, local_time: dt.time) -> bool:
        """Whether a wall-clock time in the agent's zone falls inside [start, end)."""
        return self.start <= local_time < self.end

    def runs_on(self, day: dt.date) -> bool:
        return bool(self.weekdays & WEEKDAY_BITS[day.weekday()])

    def bounds_on(self, day: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The window's start and end on ``day`` as aware datetimes in the agent's zone."""
        return (
            dt.datetime.combine(day, self.start, tzinfo=tz),
            dt.datetime.combine(day, self.end, tzinfo=tz),
        )


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Sent back")
    MISSED = "missed", _("Missed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class MomentPostQuerySet(OwnedQuerySet):
    owner_path = "persona__owner"

    def due(self, now: dt.datetime) -> Self:
        """Scheduled posts whose time has come (served by the partial index ``post_due``)."""
        return self.filter(status=PostStatus.SCHEDULED, scheduled_at__lte=now)

    def between(self, start: dt.datetime, end: dt.datetime) -> Self:
        return self.filter(scheduled_at__gte=start, scheduled_at__lt=end)


class MomentPost(models.Model):
    """One post to a persona's Moments: a snapshot of content, a window, an exact time."""

    persona = models.ForeignKey(
        "contacts.Persona",
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="posts",
    )
    # The library item it came from. The snapshot below is what goes out; the link feeds the
    # item's usage figures and the planner's "not reused within 30 days" rule.
    content = models.ForeignKey(
        "content.ContentItem",
        verbose_name=_("content item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    text = models.TextField(_("text"))
    image_paths = models.JSONField(_("images"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    product_line = models.CharField(_("product line"), max_length=24, blank=True)

    window = models.ForeignKey(
        PostingWindow,
        verbose_name=_("window"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    window_name = models.CharField(_("window name"), max_length=40, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    # When the window closes; with the grace period it decides when a sent post is missed.
    window_ends_at = models.DateTimeField(_("window ends at"))

    status = models.CharField(
        _("status"), max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    findings = models.JSONField(_("compliance findings"), default=list, blank=True)
    has_block = models.BooleanField(_("has a block finding"), default=False)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    plan_reason = models.TextField(_("why planned"), blank=True)

    # Dispatch. The key goes to every publisher so a re-send after a crash is recognised.
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = MomentPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("Moment post")
        verbose_name_plural = _("Moment posts")
        ordering = ["scheduled_at", "pk"]
        indexes = [
            # The dispatch claim: WHERE status = 'scheduled' AND scheduled_at <= now.
            models.Index(
                fields=["scheduled_at", "id"],
                name="post_due",
                condition=Q(status="scheduled"),
            ),
            # The missed job: WHERE status = 'sent' AND window_ends_at < now - grace.
            models.Index(
                fields=["window_ends_at"], name="post_sent_window", condition=Q(status="sent")
            ),
            models.Index(fields=["persona", "scheduled_at"], name="post_persona_time"),
            models.Index(fields=["status", "scheduled_at"], name="post_status_time"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.persona_id} {self.scheduled_at:%Y-%m-%d %H:%M} {self.title or self.text[:20]}"
        )

    @property
    def window_label(self) -> str:
        """The post's window as people read it (a default window's name is a key)."""
        return window_label(self.window_name)

    @property
    def block_findings(self) -> list[dict]:
        return [f for f in self.findings if f.get("severity") == "block"]

    def local_scheduled_at(self, tz: zoneinfo.ZoneInfo | None = None) -> dt.datetime:
        return self.scheduled_at.astimezone(tz or self.persona.owner.tzinfo)


class PostTransition(models.Model):
    """One status change of a post: who, when, from, to and why (also moves, with from == to)."""

    post = models.ForeignKey(
        MomentPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="transitions"
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=16, choices=PostStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PostStatus.choices)
    note = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("post transition")
        verbose_name_plural = _("post transitions")
        ordering = ["post", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.from_status} -> {self.to_status}"


class AttemptOutcome(models.TextChoices):
    STARTED = "started", _("Started")
    OK = "ok", _("Published")
    ERROR = "error", _("Error")


class DispatchAttempt(models.Model):
    """One publisher's attempt to send one post: a failure when it failed, or a success stored
    with the post's "sent" record. At most one "ok" row per post and publisher (a unique
    partial constraint): the database itself refuses a second success, whatever the workers do.
    """

    post = models.ForeignKey(
        MomentPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="dispatches"
    )
    publisher = models.CharField(_("publisher"), max_length=40)
    claim_token = models.UUIDField(_("claim token"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED
    )
    error = models.TextField(_("error"), blank=True)
    receipt = models.CharField(_("receipt"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch attempt")
        verbose_name_plural = _("dispatch attempts")
        ordering = ["post", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "publisher"],
                condition=Q(outcome="ok"),
                name="dispatch_one_success_per_publisher",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.publisher} {self.outcome}"


class ReminderKind(models.TextChoices):
    POST_READY = "post_ready", _("Post ready to publish")
    POST_HELD = "post_held", _("Post held by compliance")


# The status of its post that each kind of reminder is about: a ready post waits for the agent
# to confirm it (sent), a held one for the agent to fix it (sent back). The reminder is open
# while the post stays there; the move that takes the post out of it (posted, missed,
# resubmitted, cancelled, by any path) closes it.
REMINDED_STATUS: dict[str, str] = {
    ReminderKind.POST_READY: PostStatus.SENT,
    ReminderKind.POST_HELD: PostStatus.REJECTED,
}


class ReminderQuerySet(OwnedQuerySet):
    def open(self) -> Self:
        """Reminders still waiting for the agent (the bell's count, the "today" page)."""
        return self.filter(dismissed_at__isnull=True)

    def close_for_posts(self, post_ids: list[int], *, left: str, at: dt.datetime) -> int:
        """Close the open reminders of ``post_ids`` that were about status ``left``, which
        those posts have just left; returns how many closed. No query when no kind of
        reminder is about ``left`` (most moves, the dispatch claim among them)."""
        kinds = [kind for kind, status in REMINDED_STATUS.items() if status == left]
        if not kinds or not post_ids:
            return 0
        return self.open().filter(post_id__in=post_ids, kind__in=kinds).update(dismissed_at=at)


class Reminder(models.Model):
    """What the agent sees on the dashboard: a ready post to copy out, or a held post to fix.

    A "post ready" reminder carries the post's idempotency key, unique: publishing the same
    post twice (a worker died after writing it) finds the row instead of adding another.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="post_reminders",
    )
    post = models.ForeignKey(
        MomentPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReminderKind.choices, default=ReminderKind.POST_READY
    )
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, unique=True)
    text = models.TextField(_("text"))
    image_paths = models.JSONField(_("images"), default=list, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # Set when the post leaves the status the reminder is about (``REMINDED_STATUS``).
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["owner", "dismissed_at", "-created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:30]}"
