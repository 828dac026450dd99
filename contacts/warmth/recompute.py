"""The stored scores rebuilt from the interaction history, and kinds re-weighed.

The recompute is the audit of the incremental path (``contacts.services.interactions``) and
the way to apply changed weights or half-lives. It is one UPDATE of the contacts: each gets
the sum of its interactions' terms (``weight * decay(at, REFERENCE, h)``, the one decay
expression, with its owner's team half-life) and the time of its latest interaction, and a
row already right (to float summation noise) is left alone. The ORM writes it, so SQLite (the
demo, the default tests) and PostgreSQL run the same statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, FloatField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce, Greatest
from django.db.models.lookups import GreaterThan

from contacts.models import Contact, Interaction, InteractionKind
from contacts.warmth import half_life
from contacts.warmth.expressions import decay
from contacts.warmth.maths import REFERENCE

# Rows whose stored score already matches to this relative difference are not rewritten.
REL_TOLERANCE = 1e-9


def _history() -> Subquery:
    """The contact's interactions, grouped to one row (a subquery of the contacts' UPDATE)."""
    return Interaction.objects.filter(contact_id=OuterRef("pk")).order_by().values("contact_id")


def _score() -> Coalesce:
    """The stored score the contact's history gives: the sum of its terms, 0 without one."""
    term = F("weight") * decay(F("at"), REFERENCE, half_life.expression("contact__owner__team"))
    total = _history().annotate(score=Sum(term, output_field=FloatField())).values("score")
    return Coalesce(Subquery(total, output_field=FloatField()), Value(0.0))


def _latest() -> Subquery:
    """The time of the contact's latest interaction (NULL without one)."""
    return Subquery(_history().annotate(latest=Max("at")).values("latest"))


def warmth_recompute(*, team_id: int | None = None, owner_id: int | None = None) -> int:
    """Rebuild ``warmth_ref`` and ``last_interaction_at`` from the interaction history.

    Every contact (optionally only one team's or one agent's) gets the sum of its
    interactions' stored weights decayed with its owner's team half-life, and the time of its
    latest interaction; rows already right are left alone. Idempotent. Under READ COMMITTED an
    interaction whose transaction is still open when the statement starts can be overwritten
    by it (its term is lost until the next recompute), so schedule full runs at a quiet hour.
    Returns the number of contacts whose stored values changed.
    """
    contacts = Contact.objects.all()
    if owner_id is not None:
        contacts = contacts.filter(owner_id=owner_id)
    elif team_id is not None:
        contacts = contacts.filter(owner__team_id=team_id)
    stale = contacts.alias(score=_score(), latest=_latest()).filter(
        GreaterThan(
            Abs(F("warmth_ref") - F("score")),
            Value(REL_TOLERANCE) * Greatest(Abs(F("score")), Value(1e-300)),
        )
        | Q(last_interaction_at__lt=F("latest"))
        | Q(last_interaction_at__gt=F("latest"))
        | Q(last_interaction_at__isnull=True, latest__isnull=False)
        | Q(last_interaction_at__isnull=False, latest__isnull=True)
    )
    with transaction.atomic():
        return Contact.objects.filter(pk__in=stale.values("pk")).update(
            warmth_ref=_score(), last_interaction_at=_latest()
        )


@transaction.atomic
def interactions_reweigh(*, kinds: Iterable[InteractionKind]) -> int:
    """Give past interactions of these kinds their kind's current weight, then recompute.

    Set-based: one UPDATE per kind and the one recompute statement. Returns the number of
    contacts whose warmth changed.
    """
    changed = False
    for kind in kinds:
        changed |= bool(
            Interaction.objects.filter(kind=kind)
            .exclude(weight=kind.weight)
            .update(weight=kind.weight)
        )
    return warmth_recompute() if changed else 0
