"""Warmth alerts: raised by the daily job, withdrawn when a lead's heat was a mistake,
dismissed by the agent, listed for the panels.

The daily job raises "turned hot", "going cold" and "follow-up due", once per agent per day.

Beat ticks every 15 minutes (``alerts_run_due``); an agent is due once their local time has
passed ``WARMTH_ALERT_HOUR`` (08:00) and no ``AlertRun`` exists for their local date. The run
row is inserted first, inside the run's transaction, so two workers racing on the same agent
serialise on its unique key and only one raises alerts; the alerts' own unique key
(contact, kind, date) is a second guard. Running the job twice never doubles an alert.

"Since the last run" is exact without storing a tier per contact: a lead's stored score as it
was at the last run is today's ``warmth_ref`` minus the terms of interactions logged since
(a handful per lead, read only for the candidates the index finds).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import Alert, AlertKind, AlertRun, Contact, Interaction, Stage
from contacts.warmth import half_life as half_lives
from contacts.warmth import maths as warmth
from contacts.warmth.maths import Tier
from contacts.warmth.tiers import thresholds
from crm.models import User

_RANK = {Tier.COLD: 0, Tier.WARM: 1, Tier.HOT: 2}


def cooling_days() -> int:
    return int(getattr(settings, "WARMTH_COOLING_DAYS", 7))


def alert_hour() -> int:
    return int(getattr(settings, "WARMTH_ALERT_HOUR", 8))


@dataclass(frozen=True)
class _Candidate:
    contact: Contact
    ref_then: float


def _refs_at(contacts: list[Contact], since: datetime, half_life: float) -> list[_Candidate]:
    """Each contact's stored score as it was at ``since`` (one query for all of them)."""
    added: dict[int, float] = defaultdict(float)
    rows = Interaction.objects.filter(
        contact_id__in=[c.pk for c in contacts], created__gt=since
    ).values_list("contact_id", "weight", "at")
    for contact_id, weight, at in rows:
        added[contact_id] += warmth.term(weight, at, half_life)
    return [_Candidate(c, max(c.warmth_ref - added[c.pk], 0.0)) for c in contacts]


def _tier(ref: float, at: datetime, half_life: float) -> Tier:
    return warmth.tier_of(warmth.warmth_now(ref, at, half_life), thresholds())


def _alerts_for(owner: User, *, now: datetime, since: datetime, today) -> list[Alert]:
    half_life = half_lives.for_owner(owner.pk)
    t = thresholds()
    pool = Contact.objects.owned_by(owner).active().exclude(stage=Stage.LOST)
    alerts: list[Alert] = []

    def alert(contact: Contact, kind: AlertKind) -> Alert:
        value = warmth.warmth_now(contact.warmth_ref, now, half_life)
        return Alert(owner=owner, contact=contact, kind=kind, for_date=today, warmth=value)

    # Turned hot: hot now (index range) and not hot at the last run.
    hot_now = list(pool.hot(now, half_life).only("pk", "warmth_ref"))
    for cand in _refs_at(hot_now, since, half_life):
        if _tier(cand.ref_then, since, half_life) is not Tier.HOT:
            alerts.append(alert(cand.contact, AlertKind.HOT))

    # Going cold: untouched for N days and crossed a threshold downward since the last run.
    # Both bands are index ranges on warmth_ref: at or above a threshold then, below it now.
    ref = warmth.ref_threshold
    bands = Q()
    for level in (t.hot, t.warm):
        bands |= Q(
            warmth_ref__gte=ref(level, since, half_life), warmth_ref__lt=ref(level, now, half_life)
        )
    quiet = pool.filter(bands, last_interaction_at__lte=now - timedelta(days=cooling_days()))
    for cand in _refs_at(list(quiet.only("pk", "warmth_ref")), since, half_life):
        then = _tier(cand.ref_then, since, half_life)
        if (
            then is not Tier.COLD
            and _RANK[_tier(cand.contact.warmth_ref, now, half_life)] < _RANK[then]
        ):
            alerts.append(alert(cand.contact, AlertKind.COOLING))

    for contact in pool.filter(next_follow_up=today).only("pk", "warmth_ref"):
        alerts.append(alert(contact, AlertKind.FOLLOW_UP))
    return alerts


def alerts_raise_for(*, owner: User, now: datetime | None = None) -> AlertRun | None:
    """Run the daily alerts for one agent for their local date at ``now``.

    Returns the new ``AlertRun``, or ``None`` when this agent's run for that date exists
    already (another worker or an earlier tick did it): calling it twice raises nothing new.
    """
    now = now or timezone.now()
    today = timezone.localtime(now, zoneinfo.ZoneInfo(owner.time_zone)).date()
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = AlertRun.objects.create(owner=owner, local_date=today, ran_at=now)
        except IntegrityError:
            return None
        previous = (
            AlertRun.objects.filter(owner=owner, local_date__lt=today)
            .order_by("-local_date")
            .values_list("ran_at", flat=True)
            .first()
        )
        # A first run compares with a day ago, so a new agent is not told every lead is news.
        since = max(previous or now - timedelta(days=1), now - timedelta(days=30))
        alerts = _alerts_for(owner, now=now, since=since, today=today)
        Alert.objects.bulk_create(alerts, ignore_conflicts=True)
        run.raised = len(alerts)
        run.save(update_fields=["raised"])
    return run


def alerts_run_due(*, now: datetime | None = None) -> int:
    """Run the alerts of every agent whose local time has passed the alert hour today and who
    has no run for their local date yet. Returns how many agents it ran for. Safe to call
    on every beat tick and from several workers at once."""
    now = now or timezone.now()
    ran = 0
    agents = User.objects.agents()
    for tz_name in agents.values_list("time_zone", flat=True).distinct().order_by():
        try:
            local = timezone.localtime(now, zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if local.time() < time(alert_hour()):
            continue
        due = agents.filter(time_zone=tz_name).exclude(alert_runs__local_date=local.date())
        for owner in due.order_by("pk"):
            if alerts_raise_for(owner=owner, now=now) is not None:
                ran += 1
    return ran


def alerts_withdraw_hot(*, contact: Contact, tier: Tier) -> int:
    """Once a deleted or moved interaction leaves its lead not hot (``tier``, its tier now), the
    lead's open "turned hot" alerts are withdrawn: they would send the agent to a lead on a
    warmth that was never real. Dismissed ones stay as history; other kinds stand (a
    follow-up is due whatever the warmth, and a lead going cold has only got colder). Returns
    how many were withdrawn."""
    if tier is Tier.HOT:
        return 0
    withdrawn, _ = Alert.objects.filter(
        contact_id=contact.pk, kind=AlertKind.HOT, dismissed_at__isnull=True
    ).delete()
    return withdrawn


def alert_dismiss(*, alert: Alert, by: User) -> Alert:
    """Dismiss an alert (idempotent: dismissing twice keeps the first time)."""
    Alert.objects.filter(pk=alert.pk, dismissed_at__isnull=True).update(dismissed_at=timezone.now())
    alert.refresh_from_db(fields=["dismissed_at"])
    return alert


# --- Lists -------------------------------------------------------------------------------


def alert_list(*, user: User) -> QuerySet[Alert]:
    """Alerts the user may see (an agent's own, a lead's team's), newest first."""
    return Alert.objects.visible_to(user).select_related("contact", "owner")


# What the alerts panel (``contacts/_alerts.html``) shows of an alert and of its contact
# (``display_name``); the rest of both rows, and the owner, were read and never shown.
ALERT_PANEL_FIELDS = (
    "pk",
    "contact",
    "kind",
    "for_date",
    "warmth",
    "contact__name",
    "contact__remark",
    "contact__warmth_ref",
    "contact__erased_at",
)


# The panel's order: the newest day first, then by kind, the warmest first.
ALERTS_ORDER = ("-for_date", "kind", "-warmth", "-id")


def alerts_scoped(*, user: User) -> QuerySet[Alert]:
    """The user's own undismissed alerts, of any day: ``alerts_open`` before its day and
    order."""
    return Alert.objects.visible_to(user).owned_by(user).filter(dismissed_at__isnull=True)


def alerts_since(user: User, since_days: int = 7) -> date:
    """The day after which ``alerts_open`` shows an alert: ``since_days`` before the user's
    today."""
    return user.local_now().date() - timedelta(days=since_days)


def alerts_open(*, user: User, since_days: int = 7) -> QuerySet[Alert]:
    """The user's own undismissed alerts of the last week, for the dashboard, with their
    contact (the fields the panel shows, its stored score among them: the panel shows each
    contact's warmth now, ``with_warmth_now``)."""
    return (
        alerts_scoped(user=user)
        .filter(for_date__gt=alerts_since(user, since_days))
        .select_related("contact")
        .only(*ALERT_PANEL_FIELDS)
        .order_by(*ALERTS_ORDER)
    )


def with_warmth_now(alerts: list[Alert], *, user: User, now: datetime) -> list[Alert]:
    """``alerts`` (the user's own) each with ``warmth_now``, its contact's warmth at ``now``
    with the user's team half-life: what the alerts panel shows, the same number as the
    contact's badge (the alert's ``warmth`` is the one it was raised with)."""
    half_life = half_lives.for_owner(user.pk)
    for alert in alerts:
        alert.warmth_now = warmth.warmth_now(alert.contact.warmth_ref, now, half_life)
    return alerts
