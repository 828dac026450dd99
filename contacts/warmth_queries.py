"""Warmth on querysets of contacts: tiers and "hottest" straight from the ``warmth_ref`` index.

Mixed into ``ContactQuerySet``. Everything here turns a threshold on warmth *now* into a
threshold on the stored ``warmth_ref`` (``contacts.warmth.ref_threshold``), so a tier filter is
a range scan on the ``(owner, -warmth_ref, -id)`` index and nothing is rewritten as time passes.

A tier filter needs one half-life: an agent's contacts, or a team lead's team, all share the
team's. ``with_tier`` works across teams (an administrator's view) by computing warmth now in
SQL with each owner's team half-life.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast, Coalesce, Power

from contacts import warmth
from contacts.warmth import DEFAULT_HALF_LIFE_DAYS, MIN_HALF_LIFE_DAYS, Thresholds, Tier


def thresholds() -> Thresholds:
    """The tier thresholds on warmth now, from settings (defaults 10 and 40)."""
    return Thresholds(
        warm=float(getattr(settings, "WARMTH_WARM_THRESHOLD", 10)),
        hot=float(getattr(settings, "WARMTH_HOT_THRESHOLD", 40)),
    )


def clamp_half_life(days: float | None) -> float:
    """A team's half-life as the maths accepts it (unset: the default; never below the minimum)."""
    return float(max(days or DEFAULT_HALF_LIFE_DAYS, MIN_HALF_LIFE_DAYS))


class WarmthQuerySetMixin:
    """Tier filters and warmth ordering for ``ContactQuerySet``."""

    def _ref_at_least(self, value: float, now: datetime, half_life_days: float) -> float:
        return warmth.ref_threshold(value, now, clamp_half_life(half_life_days))

    def hot(self, now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> Self:
        """Contacts whose warmth at ``now`` is at or above the hot threshold."""
        return self.filter(
            warmth_ref__gte=self._ref_at_least(thresholds().hot, now, half_life_days)
        )

    def warm(self, now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> Self:
        """Contacts whose warmth at ``now`` is warm (at or above warm, below hot)."""
        t = thresholds()
        return self.filter(
            warmth_ref__gte=self._ref_at_least(t.warm, now, half_life_days),
            warmth_ref__lt=self._ref_at_least(t.hot, now, half_life_days),
        )

    def cold(self, now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> Self:
        """Contacts whose warmth at ``now`` is below the warm threshold."""
        return self.filter(
            warmth_ref__lt=self._ref_at_least(thresholds().warm, now, half_life_days)
        )

    def in_tier(
        self, tier: Tier | str, now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    ) -> Self:
        return getattr(self, Tier(tier).value)(now, half_life_days)

    def hottest(self, n: int) -> Self:
        """The ``n`` warmest contacts now (ordering by ``warmth_ref`` is ordering by warmth now).

        One agent's is an index scan of ``n`` rows; for what a user sees across a team use
        ``contacts.selectors.contact_hottest``, which merges each agent's.
        """
        return self.order_by("-warmth_ref", "-id")[:n]

    def with_tier(self, now: datetime) -> Self:
        """Annotate ``warmth_now`` (float) and ``tier`` ("cold"/"warm"/"hot") at ``now``.

        Each contact decays with its owner's team half-life, computed in SQL, so this is right
        for a queryset spanning teams. For filtering one team prefer ``hot``/``warm``/``cold``,
        which use the index.
        """
        half_life = Cast(
            Coalesce(F("owner__team__warmth_half_life_days"), Value(DEFAULT_HALF_LIFE_DAYS)),
            models.FloatField(),
        )
        seconds_before_ref = (warmth.REFERENCE - now).total_seconds()
        factor = Power(
            Value(2.0),
            Value(seconds_before_ref, output_field=models.FloatField()) / (half_life * 86400.0),
        )
        t = thresholds()
        return self.annotate(
            warmth_now=models.ExpressionWrapper(
                F("warmth_ref") * factor, output_field=models.FloatField()
            )
        ).annotate(
            tier=Case(
                When(warmth_now__gte=t.hot, then=Value(Tier.HOT.value)),
                When(warmth_now__gte=t.warm, then=Value(Tier.WARM.value)),
                default=Value(Tier.COLD.value),
                output_field=models.CharField(),
            )
        )
