"""Lead warmth (热度): the maths, with no Django in it.

Warmth is the sum of each interaction's weight, halved every half-life ``h``:

    warmth(now) = sum_i  w_i * 2 ** ((t_i - now) / h)

Stored form. Rewriting every lead's score as the clock moves would touch every row every
night. Instead each lead keeps its score *as of a fixed reference instant* ``REFERENCE``:

    S_ref = sum_i  w_i * 2 ** ((t_i - REFERENCE) / h)
    warmth(now) = S_ref * 2 ** ((REFERENCE - now) / h)

The factor ``2 ** ((REFERENCE - now) / h)`` is the same for every lead that shares ``h``, so:

- logging an interaction adds one term to ``S_ref``: constant time, no history read;
- ordering leads by ``S_ref`` is ordering them by warmth now, so "the 50 hottest leads" is an
  index scan on ``(owner, -S_ref)``;
- a tier threshold on warmth is a threshold on ``S_ref`` that rises with the clock
  (``ref_threshold``), so tiers need no nightly rewrite either.

Overflow. ``S_ref`` grows by 2 every half-life after ``REFERENCE``. A float64 holds 2**1023,
so with a 14-day half-life the stored form is good for 1023 * 14 days (about 39 years after
2025); with the shortest half-life we allow (``MIN_HALF_LIFE_DAYS``) it is still over 8 years.
``exponent_overflows`` tells when an interaction would be beyond that, and the remedy is a
"rebase": move ``REFERENCE`` forward and multiply every stored ``S_ref`` by
``2 ** ((old - new) / h)`` in one set-based UPDATE. A lead with no interaction for a long time
underflows harmlessly toward 0.0, which is its true warmth.

Changing the half-life or the weights changes every past term, so it needs the full recompute
from the interaction history (a set-based SQL statement, not a Python loop), scoped to the
teams whose half-life changed. Until it runs the stored scores use the old values;
the recompute is idempotent and can run at any time.

Where the pieces live: each interaction keeps the weight it was logged with, so editing a
kind's weight in the admin changes nothing until ``interactions_reweigh`` rewrites those
snapshots and recomputes (the admin queues it). Logging is
``contacts.services.interactions.interaction_log``; deleting an interaction
(``interaction_delete``) takes its term away again and correcting its time
(``interaction_move``) swaps the term at the old time for the one at the new time, both
through the same code that adds it; the recompute is ``warmth_recompute`` there; every page
rounds a warmth for display with ``shown`` below; tier filters on querysets are in
``contacts.warmth_queries``; the daily alerts, which need no per-lead stored tier (the score
at the last run is today's minus what was logged since), are in ``contacts.services.alerts``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

REFERENCE = datetime(2025, 1, 1, tzinfo=UTC)
MIN_HALF_LIFE_DAYS = 3
DEFAULT_HALF_LIFE_DAYS = 14
# Keep the exponent well inside float64 (max 2**1023) so sums of many terms cannot overflow.
MAX_EXPONENT = 1000.0


class Tier(StrEnum):
    COLD = "cold"
    WARM = "warm"
    HOT = "hot"


@dataclass(frozen=True)
class Thresholds:
    """Warmth at or above ``warm`` is warm, at or above ``hot`` is hot."""

    warm: float = 10.0
    hot: float = 40.0


def _seconds(half_life_days: float) -> float:
    if half_life_days < MIN_HALF_LIFE_DAYS:
        raise ValueError(f"half-life must be at least {MIN_HALF_LIFE_DAYS} days")
    return half_life_days * 86400.0


def exponent(at: datetime, half_life_days: float) -> float:
    """How many half-lives ``at`` lies after ``REFERENCE`` (negative before it)."""
    return (at - REFERENCE).total_seconds() / _seconds(half_life_days)


def exponent_overflows(at: datetime, half_life_days: float) -> bool:
    return exponent(at, half_life_days) > MAX_EXPONENT


def term(weight: float, at: datetime, half_life_days: float) -> float:
    """One interaction's contribution to ``S_ref``."""
    e = exponent(at, half_life_days)
    if e > MAX_EXPONENT:
        raise OverflowError("interaction is beyond the reference window: rebase REFERENCE")
    return weight * math.pow(2.0, e)


def ref_score(events: list[tuple[float, datetime]], half_life_days: float) -> float:
    """``S_ref`` of a history of ``(weight, at)`` pairs (what the SQL recompute computes)."""
    return math.fsum(term(w, at, half_life_days) for w, at in events)


def warmth_now(ref: float, now: datetime, half_life_days: float) -> float:
    """The warmth at ``now`` of a lead whose stored score is ``ref``."""
    e = -exponent(now, half_life_days)
    return ref * math.pow(2.0, e) if e > -MAX_EXPONENT else 0.0


def ref_threshold(warmth: float, now: datetime, half_life_days: float) -> float:
    """The ``S_ref`` value that equals ``warmth`` at ``now`` (for index range queries)."""
    return warmth * math.pow(2.0, exponent(now, half_life_days))


DEFAULT_THRESHOLDS = Thresholds()


def tier_of(warmth: float, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Tier:
    if warmth >= thresholds.hot:
        return Tier.HOT
    if warmth >= thresholds.warm:
        return Tier.WARM
    return Tier.COLD


def contribution_now(weight: float, at: datetime, now: datetime, half_life_days: float) -> float:
    """What one interaction contributes to the warmth at ``now`` (for "why this warmth")."""
    return weight * math.pow(2.0, (at - now).total_seconds() / _seconds(half_life_days))


_TENTH = Decimal("0.1")


def shown(value: float, decimal_separator: str = ".") -> str:
    """Warmth as every page and message shows it: one decimal, rounded half up on the value's
    shortest decimal form (48.65 shows as 48.7, as Django's ``floatformat:1`` rounds; ``"%.1f"``
    rounds the binary 48.6499... to 48.6), with the language's decimal separator, never
    "-0.0". The one rounding for display: badges, the warmth panel, its chart, alerts and the
    "logged" message all call it, so one lead reads one number on a page."""
    rounded = Decimal(repr(float(value))).quantize(_TENTH, ROUND_HALF_UP)
    text = f"{rounded if rounded else rounded.copy_abs():f}"
    return text if decimal_separator == "." else text.replace(".", decimal_separator)


def curve(
    events: list[tuple[float, datetime]],
    *,
    start: datetime,
    end: datetime,
    step: timedelta,
    half_life_days: float,
) -> list[tuple[datetime, float]]:
    """Warmth sampled from ``start`` to ``end`` (inclusive) every ``step``, for charts.

    ``events`` must be sorted by time. Interactions after a sample do not count toward it.
    """
    points: list[tuple[datetime, float]] = []
    ordered = sorted(events, key=lambda e: e[1])
    ref = 0.0
    i = 0
    at = start
    while at <= end:
        while i < len(ordered) and ordered[i][1] <= at:
            ref += term(ordered[i][0], ordered[i][1], half_life_days)
            i += 1
        points.append((at, warmth_now(ref, at, half_life_days)))
        at += step
    return points
