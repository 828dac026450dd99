"""Where the tiers start: the warm and hot thresholds on warmth now, from the settings."""

from __future__ import annotations

from django.conf import settings

from contacts.warmth.maths import Thresholds, Tier, tier_of


def thresholds() -> Thresholds:
    """The tier thresholds on warmth now, from settings (defaults 10 and 40)."""
    return Thresholds(
        warm=float(getattr(settings, "WARMTH_WARM_THRESHOLD", 10)),
        hot=float(getattr(settings, "WARMTH_HOT_THRESHOLD", 40)),
    )


def tier(value: float) -> Tier:
    """The tier of a warmth now with the configured thresholds."""
    return tier_of(value, thresholds())
