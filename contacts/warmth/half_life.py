"""The warmth half-life: how many days a weight takes to halve, for a user, a team or a contact.

A team sets its half-life (``Team.warmth_half_life_days``); an agent's leads decay with their
team's, a lead without a team's agent with the default. The stored number may be unset or
below what the maths accepts (the field takes 0), so every reader goes through ``clamp``:
unset is ``DEFAULT_HALF_LIFE_DAYS``, anything lower than ``MIN_HALF_LIFE_DAYS`` is the minimum.
In the database the same rule is ``expression`` (tiers across teams, the recompute).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, FloatField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Greatest

from contacts.warmth.maths import DEFAULT_HALF_LIFE_DAYS, MIN_HALF_LIFE_DAYS

if TYPE_CHECKING:
    from crm.models import Team, User


def clamp(days: float | None) -> float:
    """A stored half-life as the maths accepts it: unset (``None``) is the default; anything
    below the minimum, 0 included, is the minimum (as ``expression`` reads it in SQL)."""
    if days is None:
        return float(DEFAULT_HALF_LIFE_DAYS)
    return float(max(days, MIN_HALF_LIFE_DAYS))


def of_team(team: Team | None) -> float:
    """The half-life of ``team``'s leads; the default without a team."""
    return clamp(team.warmth_half_life_days if team is not None else None)


def of_user(user: User | None) -> float:
    """The half-life of the leads ``user`` owns or sees: their own team's (an agent's, or the
    team a lead belongs to); the default for no user. Reads ``user.team`` (cached once read)."""
    return of_team(getattr(user, "team", None))


def for_owner(owner_id: int) -> float:
    """The half-life of the leads of the agent with id ``owner_id`` (one query), for a caller
    that holds a contact's ``owner_id`` and not the owner."""
    from crm.models import Team

    days = (
        Team.objects.filter(members__id=owner_id)
        .values_list("warmth_half_life_days", flat=True)
        .first()
    )
    return clamp(days)


def expression(team_path: str) -> Combinable:
    """``clamp`` in SQL, of the team at ``team_path`` from the queried model (``"owner__team"``
    from a contact, ``"contact__owner__team"`` from an interaction): a float of days."""
    days = Coalesce(F(f"{team_path}__warmth_half_life_days"), Value(DEFAULT_HALF_LIFE_DAYS))
    return Cast(Greatest(days, Value(MIN_HALF_LIFE_DAYS)), FloatField())
