"""Warmth in the database: the one decay expression, and the queryset methods built on it.

``decay(since, until, half_life)`` is ``contacts.warmth.maths.decay`` as an ORM expression:
``2 ** ((since - until) / h)``, its exponent held at ``-MAX_EXPONENT`` or above. Everything the
database works out about warmth over many rows is this expression:

- ``ContactQuerySet.with_tier``: warmth now of each contact, with its owner's team half-life;
- ``InteractionQuerySet.with_contribution``: what each interaction adds to its lead's warmth
  now ("why this warmth");
- the recompute (``contacts.warmth.recompute``): each interaction's term of the stored score.

The tier filters (``hot``/``warm``/``cold``) need no expression: a threshold on warmth now is a
threshold on the stored ``warmth_ref`` (``maths.ref_threshold``), so a tier is a range scan on
the ``(owner, -warmth_ref, -id)`` index and nothing is rewritten as time passes.

``EpochSeconds`` is the one database function here that each backend spells its own way
(PostgreSQL's ``date_part``, SQLite's ``julianday``), as Django's own functions do.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Self

from django.db import models
from django.db.models import Case, F, FloatField, Func, Value, When, Window
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest, Ln, Power, RowNumber
from django.db.models.lookups import GreaterThan

from contacts.warmth import half_life as half_lives
from contacts.warmth.maths import (
    DEFAULT_HALF_LIFE_DAYS,
    MAX_EXPONENT,
    REFERENCE,
    Tier,
    ref_threshold,
)
from contacts.warmth.tiers import thresholds


class EpochSeconds(Func):
    """Seconds since the Unix epoch of a datetime column, as a float, to the microsecond."""

    arity = 1
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # date_part() is float8; EXTRACT() is numeric since PostgreSQL 14, and POWER() of a
        # numeric is far slower over many rows.
        template = "date_part('epoch', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC. julianday() keeps milliseconds
        # only, so the whole seconds come from it (exact once rounded) and the microseconds
        # from the text.
        template = (
            "(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400)"
            " AS INTEGER) + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER)"
            " / 1000000.0)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


Instant = datetime | Combinable
HalfLife = float | Combinable


def _seconds(at: Instant) -> Combinable:
    if isinstance(at, datetime):
        return Value(at.timestamp(), output_field=FloatField())
    return EpochSeconds(at)


def decay(
    since: Instant, until: Instant, half_life: HalfLife, *, of: Combinable | None = None
) -> Combinable:
    """The factor a weight of ``since`` has at ``until`` with ``half_life`` days: each an
    instant (a ``datetime``) or an expression (``F("at")``, ``half_lives.expression(...)``).
    The same number as ``maths.decay`` (to float rounding).

    ``of``: the decayed amount itself, ``of * factor``, for an amount that may be tiny (a
    stored score): the product is taken in the exponent, ``2 ** (log2(of) + e)``, as
    PostgreSQL raises "underflow" where a float product rounds to 0. Below ``2 ** -1000`` it
    is held there, zero for any purpose; an amount of 0 or less is 0."""
    if not isinstance(half_life, Combinable):
        half_life = Value(half_lives.clamp(half_life), output_field=FloatField())
    exponent = (_seconds(since) - _seconds(until)) / (half_life * Value(86400.0))
    floor = Value(-MAX_EXPONENT, output_field=FloatField())
    if of is None:
        return Power(Value(2.0), Greatest(exponent, floor), output_field=FloatField())
    exponent = Ln(of) / Value(math.log(2.0)) + exponent
    return Case(
        When(GreaterThan(of, 0.0), then=Power(Value(2.0), Greatest(exponent, floor))),
        default=Value(0.0),
        output_field=FloatField(),
    )


class WarmthQuerySetMixin:
    """Tier filters, warmth now and warmth ordering for ``ContactQuerySet``."""

    def _ref_at_least(self, value: float, now: datetime, half_life_days: float) -> float:
        return ref_threshold(value, now, half_lives.clamp(half_life_days))

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
        """``hot``, ``warm`` or ``cold`` by the tier's name."""
        return getattr(self, Tier(tier).value)(now, half_life_days)

    def hottest(self, n: int) -> Self:
        """The ``n`` warmest contacts now (ordering by ``warmth_ref`` is ordering by warmth now).

        One agent's is an index scan of ``n`` rows; for what a user sees across a team use
        ``contacts.selectors.contact_hottest``, which merges each agent's.
        """
        return self.order_by("-warmth_ref", "-id")[:n]

    def with_tier(self, now: datetime) -> Self:
        """Annotate ``warmth_now`` (float) and ``tier`` ("cold"/"warm"/"hot") at ``now``.

        Each contact decays with its owner's team half-life (``half_life.expression``), so
        this is right for a queryset spanning teams. For filtering one team prefer
        ``hot``/``warm``/``cold``, which use the index.
        """
        now_of = decay(REFERENCE, now, half_lives.expression("owner__team"), of=F("warmth_ref"))
        t = thresholds()
        return self.annotate(warmth_now=now_of).annotate(
            tier=Case(
                When(warmth_now__gte=t.hot, then=Value(Tier.HOT.value)),
                When(warmth_now__gte=t.warm, then=Value(Tier.WARM.value)),
                default=Value(Tier.COLD.value),
                output_field=models.CharField(),
            )
        )


class ContributionQuerySetMixin:
    """ "Why this warmth" for ``InteractionQuerySet``: what each interaction adds now."""

    def with_contribution(self, now: datetime, half_life: HalfLife | None = None) -> Self:
        """Annotate ``contribution``: the interaction's weight decayed to ``now``, with
        ``half_life`` days (the caller's, for one team's leads) or, by default, with the
        contact's owner's team half-life (a join per row). Interactions after ``now`` count
        as they would at their own time: filter ``at__lte=now`` for warmth at ``now``."""
        if half_life is None:
            half_life = half_lives.expression("contact__owner__team")
        return self.annotate(
            contribution=models.ExpressionWrapper(
                F("weight") * decay(F("at"), now, half_life), output_field=FloatField()
            )
        )

    def strongest_per_contact(self, now: datetime, half_life: HalfLife | None = None) -> Self:
        """Of each contact's interactions in this queryset, the one contributing most at
        ``now`` (ties: the latest, then the highest id), annotated with ``contribution``."""
        ranked = self.with_contribution(now, half_life).annotate(
            strength_rank=Window(
                RowNumber(),
                partition_by=[F("contact_id")],
                order_by=[F("contribution").desc(), F("at").desc(), F("id").desc()],
            )
        )
        return ranked.filter(strength_rank=1)
