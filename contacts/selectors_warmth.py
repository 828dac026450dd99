"""Reads for warmth: a contact's timeline, curve and explanation; an agent's alerts.

Every read that serves a user starts from ``visible_to(user)``; the per-contact reads take a
contact the caller already fetched that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from contacts import warmth
from contacts.models import Alert, Contact, Interaction, InteractionKind
from contacts.services.interactions import half_life_for_owner
from contacts.warmth import Tier
from contacts.warmth_queries import thresholds
from crm.models import User

CURVE_DAYS = 90
WHY_TOP = 5


@dataclass(frozen=True)
class Contribution:
    interaction: Interaction
    now: float  # what it adds to the warmth now
    share: float  # of the total warmth now, 0..1


@dataclass(frozen=True)
class WarmthView:
    value: float
    tier: Tier
    half_life_days: float


def contact_warmth(contact: Contact, now: datetime) -> WarmthView:
    """The contact's warmth and tier at ``now`` with its owner's team half-life."""
    half_life = half_life_for_owner(contact.owner_id)
    value = warmth.warmth_now(contact.warmth_ref, now, half_life)
    return WarmthView(value, warmth.tier_of(value, thresholds()), half_life)


def interaction_list(*, user: User) -> QuerySet[Interaction]:
    """Interactions the user may see, with the kind joined (the API shows its code and
    label; of the contact, the post and the author it shows the ids the row holds)."""
    return Interaction.objects.visible_to(user).select_related("kind")


def contact_timeline(contact: Contact, *, limit: int = 30) -> list[Interaction]:
    """The contact's latest interactions, newest first, with the post each reacted to."""
    return list(
        Interaction.objects.filter(contact=contact)
        .select_related("kind", "post", "logged_by")
        .order_by("-at", "-id")[:limit]
    )


def contact_curve(
    contact: Contact, now: datetime, half_life: float, days: int = CURVE_DAYS
) -> list[tuple[datetime, float]]:
    """Warmth sampled daily over the last ``days`` days, ending at ``now``.

    Reads only the interactions inside the window: what came before is the stored score
    minus their terms, entered as one opening event, so the curve is exact and its cost does
    not grow with older history. Its last point, at ``now``, is the stored score's warmth at
    ``now`` itself (``contact_warmth``), not the sum rebuilt from the window, so the chart ends
    on the number the panel shows beside it, to the last digit.
    """
    start = now - timedelta(days=days)
    events = list(
        Interaction.objects.filter(contact=contact, at__gt=start, at__lte=now).values_list(
            "weight", "at"
        )
    )
    before_ref = max(contact.warmth_ref - warmth.ref_score(events, half_life), 0.0)
    opening = [(warmth.warmth_now(before_ref, start, half_life), start)] if before_ref else []
    points = warmth.curve(
        opening + events, start=start, end=now, step=timedelta(days=1), half_life_days=half_life
    )
    if points and points[-1][0] == now:
        points[-1] = (now, warmth.warmth_now(contact.warmth_ref, now, half_life))
    return points


def contact_why(contact: Contact, now: datetime, half_life: float) -> list[Contribution]:
    """The interactions contributing most to the warmth now, largest first (PIPL art. 24:
    an automated score the agent can explain). Reads weights and times only, then the few
    rows shown."""
    rows = Interaction.objects.filter(contact=contact, at__lte=now).values_list(
        "pk", "weight", "at"
    )
    scored = sorted(
        ((warmth.contribution_now(w, at, now, half_life), pk) for pk, w, at in rows),
        reverse=True,
    )[:WHY_TOP]
    total = warmth.warmth_now(contact.warmth_ref, now, half_life)
    # The panel shows each one's kind, time and weight.
    by_pk = Interaction.objects.select_related("kind").in_bulk([pk for _, pk in scored])
    return [
        Contribution(by_pk[pk], value, value / total if total > 0 else 0.0)
        for value, pk in scored
        if value > 0 and pk in by_pk
    ]


def quick_kinds() -> list[InteractionKind]:
    """The kinds shown as one-click buttons, in their admin-set order."""
    return list(InteractionKind.objects.filter(quick=True).order_by("position", "code"))


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
    order (the agent home compiles this part once and adds those with the day's value)."""
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
    half_life = half_life_for_owner(user.pk)
    for alert in alerts:
        alert.warmth_now = warmth.warmth_now(alert.contact.warmth_ref, now, half_life)
    return alerts
