"""Lead warmth (热度): every rule about it, in one package.

- ``maths``: the formula in plain Python (no Django): terms, the stored score, warmth now,
  tiers, the chart's curve, the one rounding for display;
- ``expressions``: the same decay as one ORM expression, and the querysets built on it (tier
  filters and annotations on contacts, each interaction's contribution now);
- ``half_life``: the one lookup of a half-life (a user's, a team's, an owner's), clamped;
- ``tiers``: the warm and hot thresholds from the settings;
- ``recompute``: the stored scores rebuilt from the history in one UPDATE, and re-weighing;
- ``alerts``: the daily alerts raised, withdrawn, dismissed and listed;
- ``selectors``: the reads of a contact's warmth panel (value, curve, why, timeline);
- ``forms`` and ``admin``: logging from pages, the kinds' weights as data.

The maths' names are re-exported here (``from contacts import warmth; warmth.warmth_now``);
the modules that touch models are imported by name, as this package is loaded with the models.
"""

from contacts.warmth.half_life import clamp as clamp_half_life
from contacts.warmth.maths import (
    DEFAULT_HALF_LIFE_DAYS,
    DEFAULT_THRESHOLDS,
    MAX_EXPONENT,
    MIN_HALF_LIFE_DAYS,
    REFERENCE,
    Thresholds,
    Tier,
    contribution_now,
    curve,
    decay,
    exponent,
    exponent_overflows,
    ref_score,
    ref_threshold,
    shown,
    term,
    tier_of,
    warmth_now,
)
from contacts.warmth.tiers import thresholds

__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_THRESHOLDS",
    "MAX_EXPONENT",
    "MIN_HALF_LIFE_DAYS",
    "REFERENCE",
    "Thresholds",
    "Tier",
    "clamp_half_life",
    "contribution_now",
    "curve",
    "decay",
    "exponent",
    "exponent_overflows",
    "ref_score",
    "ref_threshold",
    "shown",
    "term",
    "thresholds",
    "tier_of",
    "warmth_now",
]
