"""Writes on interactions and warmth: log a touch, delete it or correct its time, recompute
from history, re-weigh kinds.

Logging is the hot path: one INSERT and one UPDATE that adds the interaction's term to the
contact's stored ``warmth_ref`` (see ``contacts.warmth``). It never reads the history, so its
cost does not grow with the number of past interactions. Deleting an interaction takes the
same term out again, and correcting its time swaps the term at the old time for the term at
the new one; all three go through ``_warmth_apply``, the one place that moves a stored score.

The recompute rebuilds ``warmth_ref`` and ``last_interaction_at`` from the history in one
set-based SQL statement per call (PostgreSQL in production, SQLite for the demo). It is the
audit of the incremental path and the way to apply changed weights or half-lives.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import warmth
from contacts.models import (
    Alert,
    AlertKind,
    Contact,
    Interaction,
    InteractionKind,
    Persona,
    Stage,
)
from contacts.services.contacts import contact_erased
from contacts.warmth import DEFAULT_HALF_LIFE_DAYS, MIN_HALF_LIFE_DAYS, Tier
from contacts.warmth_queries import clamp_half_life, thresholds
from crm.models import Team, User

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


def half_life_for_owner(owner_id: int) -> float:
    """The warmth half-life (days) of the agent's team; the default for an agent without one."""
    days = (
        Team.objects.filter(members__id=owner_id)
        .values_list("warmth_half_life_days", flat=True)
        .first()
    )
    return clamp_half_life(days)


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


def _withdraw_hot_alerts(contact: Contact, tier: Tier) -> None:
    """Once a deleted or moved interaction leaves its lead not hot, the lead's open "turned
    hot" alerts are withdrawn: they would send the agent to a lead on a warmth that was never
    real. Dismissed ones stay as history; other kinds stand (a follow-up is due whatever the
    warmth, and a lead going cold has only got colder)."""
    if tier is not Tier.HOT:
        Alert.objects.filter(
            contact_id=contact.pk, kind=AlertKind.HOT, dismissed_at__isnull=True
        ).delete()


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
    half_life = half_life_for_owner(contact.owner_id)
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
    _withdraw_hot_alerts(contact, tier)
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
    half_life = half_life_for_owner(contact.owner_id)
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
    half_life = half_life_for_owner(contact.owner_id)
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


# --- Full recompute ------------------------------------------------------------------------

# Terms older than 2**-1000 of their weight are zero for any purpose; clamping the exponent
# keeps PostgreSQL's POWER() from raising "underflow" on very old history with short half-lives.
_MIN_EXPONENT = -1000.0
_REF_EPOCH = warmth.REFERENCE.timestamp()
_REF_JULIAN = _REF_EPOCH / 86400.0 + 2440587.5  # julianday() of REFERENCE, for SQLite
# Rows whose stored score already matches (to float summation noise) are not rewritten.
_REL_TOLERANCE = 1e-9

# date_part() and float8 throughout: EXTRACT() returns numeric since PostgreSQL 14, and numeric
# POWER() is some 25 times slower than float8's over millions of rows.
_POSTGRES_RECOMPUTE = """
UPDATE contacts_contact AS c
SET warmth_ref = s.score, last_interaction_at = s.last_at
FROM (
    SELECT c2.id,
           COALESCE(SUM(i.weight * POWER(2.0::float8, GREATEST(%s::float8,
               (date_part('epoch', i.at) - %s::float8)
               / (GREATEST(COALESCE(t.warmth_half_life_days, %s), %s) * 86400.0::float8)))),
               0) AS score,
           MAX(i.at) AS last_at
    FROM contacts_contact AS c2
    JOIN crm_user AS u ON u.id = c2.owner_id
    LEFT JOIN crm_team AS t ON t.id = u.team_id
    LEFT JOIN contacts_interaction AS i ON i.contact_id = c2.id
    WHERE {scope}
    GROUP BY c2.id
) AS s
WHERE c.id = s.id
  AND (ABS(c.warmth_ref - s.score) > %s::float8 * GREATEST(ABS(s.score), 1e-300)
       OR c.last_interaction_at IS DISTINCT FROM s.last_at)
"""

# SQLite (the demo): the same statement with julianday() for the epoch and MAX() for GREATEST.
# POWER is registered on SQLite connections by Django.
_SQLITE_RECOMPUTE = """
UPDATE contacts_contact AS c
SET warmth_ref = s.score, last_interaction_at = s.last_at
FROM (
    SELECT c2.id AS id,
           COALESCE(SUM(i.weight * POWER(2.0, MAX(%s,
               ((julianday(i.at) - %s) * 86400.0)
               / (MAX(COALESCE(t.warmth_half_life_days, %s), %s) * 86400.0)))), 0) AS score,
           MAX(i.at) AS last_at
    FROM contacts_contact AS c2
    JOIN crm_user AS u ON u.id = c2.owner_id
    LEFT JOIN crm_team AS t ON t.id = u.team_id
    LEFT JOIN contacts_interaction AS i ON i.contact_id = c2.id
    WHERE {scope}
    GROUP BY c2.id
) AS s
WHERE c.id = s.id
  AND (ABS(c.warmth_ref - s.score) > %s * MAX(ABS(s.score), 1e-300)
       OR c.last_interaction_at IS NOT s.last_at)
"""


def warmth_recompute(*, team_id: int | None = None, owner_id: int | None = None) -> int:
    """Rebuild ``warmth_ref`` and ``last_interaction_at`` from the interaction history.

    One set-based SQL statement: every contact (optionally only one team's or one agent's)
    gets the sum of its interactions' stored weights decayed with its owner's team half-life,
    and the time of its latest interaction. Rows already right are left alone. Idempotent.
    Under READ COMMITTED an interaction whose transaction is still open when the statement
    starts can be overwritten by it (its term is lost until the next recompute), so schedule
    full runs at a quiet hour. Returns the number of contacts whose stored values changed.

    A full recompute on PostgreSQL outside a transaction runs as
    ``settings.WARMTH_RECOMPUTE_CONNECTIONS`` statements at once, each on its own connection
    and its own slice of the contacts by id: PostgreSQL plans no parallel workers for an
    UPDATE, and most of its time is writing each changed row into every index of the table,
    which one backend does on one core. Each slice commits on its own: while the run lasts,
    a reader can see one slice recomputed and another not yet. A slice that fails leaves the
    others committed; running the recompute again finishes the job (it is idempotent).
    """
    scope, scope_params = "TRUE", []
    if owner_id is not None:
        scope, scope_params = "c2.owner_id = %s", [owner_id]
    elif team_id is not None:
        scope, scope_params = "u.team_id = %s", [team_id]
    slices = settings.WARMTH_RECOMPUTE_CONNECTIONS
    if (
        scope == "TRUE"
        and slices > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block  # other connections would not see its rows
    ):
        bounds = _id_slices(slices)
        if len(bounds) > 1:
            with ThreadPoolExecutor(len(bounds), thread_name_prefix="warmth") as pool:
                return sum(pool.map(_recompute_slice, bounds))
    return _recompute(scope, scope_params)


def _id_slices(count: int) -> list[tuple[int, int]]:
    """The contacts' ids cut into ``count`` ranges of about as many contacts each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY id), MAX(id)"
            " FROM contacts_contact",
            [[k / count for k in range(1, count)]],
        )
        cuts, last = cursor.fetchone()
    if last is None:
        return []
    edges = sorted(set(cuts or []))
    lows = [0, *(edge + 1 for edge in edges)]
    highs = [*edges, last]
    return [(low, high) for low, high in zip(lows, highs, strict=True) if low <= high]


def _recompute_slice(bounds: tuple[int, int]) -> int:
    """One slice of a parallel full recompute, on this thread's own connection."""
    try:
        return _recompute("c2.id BETWEEN %s AND %s", list(bounds))
    finally:
        connection.close()


def _recompute(scope: str, scope_params: list[int]) -> int:
    if connection.vendor == "postgresql":
        sql, ref = _POSTGRES_RECOMPUTE, _REF_EPOCH
    elif connection.vendor == "sqlite":
        sql, ref = _SQLITE_RECOMPUTE, _REF_JULIAN
    else:  # pragma: no cover - the project runs on these two only
        raise NotImplementedError(connection.vendor)
    if connection.vendor == "sqlite" and scope == "TRUE":
        scope = "1 = 1"
    params = [
        _MIN_EXPONENT,
        ref,
        DEFAULT_HALF_LIFE_DAYS,
        MIN_HALF_LIFE_DAYS,
        *scope_params,
        _REL_TOLERANCE,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One hash aggregate over every contact needs ~50 MB at 200,000 contacts; with the
            # default 4 MB the planner falls back to a sorted plan that took twice as long.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(sql.format(scope=scope), params)
        return cursor.rowcount


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
