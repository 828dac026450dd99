"""Reads for warmth: a contact's warmth, timeline, curve and "why this warmth"; the strongest
interaction of many contacts (the home's hot leads); the interactions list.

Every read that serves a user starts from ``visible_to(user)``; the per-contact reads take
contacts the caller already fetched that way. What an interaction adds now is worked out in
the database (``InteractionQuerySet.with_contribution``, the one decay expression); the curve
is the Python maths over a window of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from contacts.models import Contact, Interaction, InteractionKind
from contacts.warmth import half_life as half_lives
from contacts.warmth import maths as warmth
from contacts.warmth.maths import Tier
from contacts.warmth.tiers import thresholds
from crm.models import User

CURVE_DAYS = 90
WHY_TOP = 5
# Interactions older than this many half-lives add under 1/16 of their weight: not a "why".
WHY_HORIZON_HALF_LIVES = 4


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
    half_life = half_lives.for_owner(contact.owner_id)
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
    an automated score the agent can explain), each with its kind. One query: the database
    ranks them by ``with_contribution``."""
    rows = (
        Interaction.objects.filter(contact=contact, at__lte=now)
        .with_contribution(now, half_life)
        .select_related("kind")
        .order_by("-contribution", "-at", "-id")[:WHY_TOP]
    )
    total = warmth.warmth_now(contact.warmth_ref, now, half_life)
    return [
        Contribution(row, row.contribution, row.contribution / total if total > 0 else 0.0)
        for row in rows
        if row.contribution > 0
    ]


def why_of(contact_ids: list[int], now: datetime, half_life: float) -> dict[int, Interaction]:
    """Each contact's interaction that contributes most to its warmth at ``now`` (with its
    kind, and ``contribution``), among those within ``WHY_HORIZON_HALF_LIVES`` half-lives; a
    contact with none in that time is left out. Ties go to the latest, then the highest id.
    ``half_life`` is the contacts' (one team's). The contacts are ones the caller read through
    ``visible_to``. One query, whatever the number of contacts; only the winners are read."""
    if not contact_ids:
        return {}
    horizon = now - timedelta(days=half_lives.clamp(half_life) * WHY_HORIZON_HALF_LIVES)
    rows = (
        Interaction.objects.filter(contact_id__in=contact_ids, at__gte=horizon, at__lte=now)
        .strongest_per_contact(now, half_life)
        .select_related("kind")
        .only("id", "contact_id", "at", "weight", "kind__id", "kind__code")
    )
    return {row.contact_id: row for row in rows}


def quick_kinds() -> list[InteractionKind]:
    """The kinds shown as one-click buttons, in their admin-set order."""
    return list(InteractionKind.objects.filter(quick=True).order_by("position", "code"))
