"""Writes on interactions and warmth: log a touch, delete it or correct its time.

Logging is the hot path: one INSERT and one UPDATE that adds the interaction's term to the
contact's stored ``warmth_ref`` (see ``contacts.warmth``). It never reads the history, so its
cost does not grow with the number of past interactions. Deleting an interaction takes the
same term out again, and correcting its time swaps the term at the old time for the term at
the new one; all three go through ``_warmth_apply``, the one place that moves a stored score.

The recompute from the whole history, and re-weighing, are ``contacts.warmth.recompute``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import warmth
from contacts.models import Contact, Interaction, InteractionKind, Persona, Stage
from contacts.services.contacts import contact_erased
from contacts.warmth import Tier, thresholds
from contacts.warmth import half_life as half_lives
from contacts.warmth.alerts import alerts_withdraw_hot
from contacts.warmth.recompute import interactions_reweigh, warmth_recompute
from crm.models import User

__all__ = [
    "interaction_delete",
    "interaction_log",
    "interaction_move",
    "interactions_reweigh",  # re-exported: contacts.services names every write
    "warmth_recompute",
]

# A phone's clock may run a little ahead of the server's; beyond this a time is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Forward order of the lifecycle; "lost" sits outside it (any suggestion moves a lost lead on).
STAGE_ORDER = [
    Stage.NEW_FRIEND,
    Stage.ENGAGED,
    Stage.INTERESTED,
    Stage.PROPOSAL,
    Stage.CUSTOMER,
    Stage.ADVOCATE,
]
NOTE_MAX_CHARS = 500


@dataclass(frozen=True)
class LoggedInteraction:
    """What logging returned: the row, the lead's warmth and tier at ``now``, and any stage
    news."""

    interaction: Interaction
    warmth: float
    tier: Tier
    suggested_stage: str | None  # a forward move the agent may accept (quote -> interested)
    stage_set: str | None  # a move already made (unfriended -> lost)
    now: datetime  # the instant ``warmth`` is for (a page showing it uses the same)


@dataclass(frozen=True)
class ChangedInteraction:
    """What deleting an interaction or correcting its time returned: the row (deleted: as it
    was), with its ``contact`` as it is afterwards (stored score, latest interaction), and the
    lead's warmth and tier at ``now``."""

    interaction: Interaction
    warmth: float
    tier: Tier
    now: datetime


def _suggestion(current: str, kind: InteractionKind) -> str | None:
    suggested = kind.suggests_stage
    if not suggested or suggested == current:
        return None
    if current == Stage.LOST or current not in STAGE_ORDER or suggested not in STAGE_ORDER:
        return suggested
    return suggested if STAGE_ORDER.index(suggested) > STAGE_ORDER.index(current) else None


def _check_time(at: datetime, now: datetime, half_life: float) -> None:
    """The rule for when an interaction may be: a time with its zone, not in the future (a
    phone's clock running a little ahead is forgiven), inside the stored score's range."""
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its time zone.")}, code="invalid")
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": _("An interaction cannot be in the future.")}, code="future")
    if warmth.exponent_overflows(at, half_life):  # decades away; see contacts.warmth
        raise ValidationError({"at": _("This time is out of range.")}, code="out_of_range")


def _latest_at():
    """The contact's latest interaction time, as a subquery of the contact's UPDATE (read from
    the (contact, -at) index: one entry)."""
    return Subquery(
        Interaction.objects.filter(contact_id=OuterRef("pk")).order_by("-at").values("at")[:1]
    )


def _warmth_apply(
    contact: Contact,
    *,
    weight: float,
    half_life: float,
    now: datetime,
    added_at: datetime | None = None,
    removed_at: datetime | None = None,
    **changes,
) -> None:
    """Move the contact's stored score by one interaction of ``weight``: add its term at
    ``added_at`` (logged, or moved to), take away its term at ``removed_at`` (deleted, or
    moved from), in one relative UPDATE of the contact row, so concurrent changes on the same
    lead add up. Call it after the interaction row itself was written or deleted.

    The terms are ``contacts.warmth.term``, the very values logging added, so a deleted
    interaction leaves the score as if it had never been logged, and a moved one as if it had
    been logged at its new time (to float rounding; never below 0, and exactly 0 once no
    interaction is left). Logging keeps the latest time with a ``GREATEST`` and never reads
    the history; a delete or a move reads the latest remaining time from the index. ``changes``
    are other columns for the same UPDATE (the stage). The contact's ``warmth_ref`` and
    ``last_interaction_at`` are read back onto ``contact``.
    """
    delta = 0.0
    if added_at is not None:
        delta += warmth.term(weight, added_at, half_life)
    if removed_at is not None:
        delta -= warmth.term(weight, removed_at, half_life)
    if removed_at is None:
        changes["warmth_ref"] = F("warmth_ref") + delta
        # Coalesce first: SQLite's MAX() of a NULL is NULL where PostgreSQL's GREATEST skips it.
        changes["last_interaction_at"] = Greatest(
            Coalesce(F("last_interaction_at"), Value(added_at)), Value(added_at)
        )
    else:
        any_left = Exists(Interaction.objects.filter(contact_id=OuterRef("pk")))
        changes["warmth_ref"] = Case(
            When(any_left, then=Greatest(F("warmth_ref") + delta, Value(0.0))),
            default=Value(0.0),
        )
        changes["last_interaction_at"] = _latest_at()
    Contact.objects.filter(pk=contact.pk).update(updated=now, **changes)
    row = Contact.objects.filter(pk=contact.pk).values("warmth_ref", "last_interaction_at").get()
    contact.warmth_ref = row["warmth_ref"]
    contact.last_interaction_at = row["last_interaction_at"]


def _kind(kind: InteractionKind | str) -> InteractionKind:
    if isinstance(kind, InteractionKind):
        return kind
    try:
        return InteractionKind.objects.get(code=kind)
    except InteractionKind.DoesNotExist:
        raise ValidationError({"kind": _("Unknown kind of interaction.")}, code="invalid") from None


@transaction.atomic
def interaction_log(
    *,
    contact: Contact,
    kind: InteractionKind | str,
    at: datetime | None = None,
    note: str = "",
    post: object | None = None,
    by: User | None,
) -> LoggedInteraction:
    """Record an interaction and move the contact's warmth, in one transaction.

    ``kind`` is an ``InteractionKind`` or its code. ``at`` defaults to now and may be in the
    past (a call logged afterwards) but not the future. The contact's ``warmth_ref`` grows by
    the interaction's term with a single ``UPDATE ... SET warmth_ref = warmth_ref + term``, so
    concurrent logs on the same lead add up, and the query count is the same for a lead with
    one interaction or ten thousand. "Unfriended" moves the lead to lost at once; a quote
    request or a purchase only *suggests* a stage, returned for the agent to accept.

    ``post`` is the Moment post a reaction answered (a ``scheduler.MomentPost`` of a persona
    of the same agent; typed loosely because contacts never imports scheduler).

    Raises ``ValidationError`` (field errors) for an erased contact, an unknown kind or a
    time in the future.
    """
    if (
        post is not None
        and not Persona.objects.filter(
            pk=getattr(post, "persona_id", None), owner_id=contact.owner_id
        ).exists()
    ):
        raise ValidationError({"post": _("Choose a post of this contact's agent.")}, code="invalid")
    if contact.is_erased:
        raise ValidationError(
            {"contact": _("An erased contact cannot get new interactions.")}, code="erased"
        )
    kind = _kind(kind)
    now = timezone.now()
    at = at or now
    half_life = half_lives.for_owner(contact.owner_id)
    _check_time(at, now, half_life)

    interaction = Interaction.objects.create(
        contact=contact,
        kind=kind,
        at=at,
        post=post,
        note=(note or "").strip()[:NOTE_MAX_CHARS],
        logged_by=by if by is not None and by.pk else None,
        weight=kind.weight,
    )
    stage_set = kind.sets_stage or None
    _warmth_apply(
        contact,
        weight=kind.weight,
        half_life=half_life,
        now=now,
        added_at=at,
        **({"stage": stage_set} if stage_set else {}),
    )
    previous_stage = contact.stage
    if stage_set:
        contact.stage = stage_set
    value = warmth.warmth_now(contact.warmth_ref, now, half_life)
    return LoggedInteraction(
        interaction=interaction,
        warmth=value,
        tier=warmth.tier_of(value, thresholds()),
        suggested_stage=None if stage_set else _suggestion(previous_stage, kind),
        stage_set=stage_set if stage_set != previous_stage else None,
        now=now,
    )


def _locked(interaction: Interaction) -> tuple[Interaction, Contact]:
    """The interaction as it is now, its row locked until the transaction ends (two corrections
    of the same row never both take its old term away), with its contact."""
    try:
        row = (
            Interaction.objects.select_for_update(of=("self",))
            .select_related("contact", "kind")
            .get(pk=interaction.pk)
        )
    except Interaction.DoesNotExist:
        raise ValidationError(
            _("This interaction was deleted in the meantime."), code="gone"
        ) from None
    if row.contact.is_erased:
        raise ValidationError(
            {"contact": _("An erased contact's interactions cannot be changed.")}, code="erased"
        )
    return row, row.contact


def _changed(
    row: Interaction, contact: Contact, half_life: float, now: datetime
) -> ChangedInteraction:
    value = warmth.warmth_now(contact.warmth_ref, now, half_life)
    tier = warmth.tier_of(value, thresholds())
    alerts_withdraw_hot(contact=contact, tier=tier)
    return ChangedInteraction(interaction=row, warmth=value, tier=tier, now=now)


@transaction.atomic
def interaction_delete(*, interaction: Interaction) -> ChangedInteraction:
    """Delete an interaction (logged by mistake, or on the wrong lead) and take its term out of
    its lead's warmth: afterwards the warmth is what it would be had it never been logged, and
    the lead's latest interaction is the latest one left. An open "turned hot" alert goes if
    the lead is no longer hot. A stage the interaction set (unfriended: lost) stays; the agent
    sets it back on the contact's page.

    Only the contact's owner may: the caller found the row through ``owned_by``. Raises
    ``ValidationError`` for an erased contact's interaction or one already deleted.
    """
    row, contact = _locked(interaction)
    now = timezone.now()
    half_life = half_lives.for_owner(contact.owner_id)
    row_pk = row.pk
    row.delete()
    row.pk = row_pk  # the caller may still name what was deleted
    _warmth_apply(contact, weight=row.weight, half_life=half_life, now=now, removed_at=row.at)
    return _changed(row, contact, half_life, now)


@transaction.atomic
def interaction_move(*, interaction: Interaction, at: datetime) -> ChangedInteraction:
    """Correct when an interaction happened (back-dated: a call logged an hour late, a meeting
    yesterday); its term moves with it, so the lead's warmth is what it would be had it been
    logged at ``at`` in the first place, and its latest interaction follows. The same time
    rule as logging: aware, not in the future. An open "turned hot" alert goes if the lead is
    no longer hot.

    Only the contact's owner may: the caller found the row through ``owned_by``. Raises
    ``ValidationError`` (field ``at``) for a bad time, or for an erased contact's interaction.
    """
    row, contact = _locked(interaction)
    now = timezone.now()
    half_life = half_lives.for_owner(contact.owner_id)
    _check_time(at, now, half_life)
    old_at = row.at
    if at != old_at:
        Interaction.objects.filter(pk=row.pk).update(at=at)
        row.at = at
        _warmth_apply(
            contact, weight=row.weight, half_life=half_life, now=now, added_at=at, removed_at=old_at
        )
    return _changed(row, contact, half_life, now)


@receiver(contact_erased, dispatch_uid="contacts.interactions.erase_notes")
def _erase_interaction_notes(sender, contact: Contact, **kwargs) -> None:
    """An erased contact's interactions keep their kind, time and weight, never free text."""
    Interaction.objects.filter(contact_id=contact.pk).exclude(note="").update(note="")
