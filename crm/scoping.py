"""One place that decides which rows a user may see.

Every model whose rows belong to an agent uses ``OwnedQuerySet`` (directly or as a base) and
names the path from the row to its owning agent in ``owner_path``. Views and API views start
every read from ``Model.objects.visible_to(user)``; none assembles its own scoping.

- an agent sees the rows they own;
- a team lead sees the rows of every member of the team they lead, and their own;
- an administrator (role admin, or a superuser) sees everything;
- anyone else (a curator, an inactive or anonymous user) sees none of the agents' rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Self

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from crm.roles import Role

if TYPE_CHECKING:
    from crm.models import User


def sees_everything(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def team_and_self(lead: User) -> models.QuerySet:
    """Ids of a lead and of the members of the team they lead, as a subquery."""
    from crm.models import User

    return User.objects.filter(Q(pk=lead.pk) | Q(team__lead=lead)).values("pk")


def team_and_self_sql(lead: User) -> RawSQL:
    """``team_and_self(lead)`` as SQL ready to use: the ORM's own statement, compiled once per
    process. A lead's page scopes four to six reads with it, and compiling the subquery inside
    each cost more than running it."""
    return RawSQL(_team_and_self_statement(), (lead.pk, lead.pk))


@functools.cache
def _team_and_self_statement() -> str:
    from crm.models import User

    marker = User(pk=0)  # a stand-in lead whose id marks where the real one goes
    # No ORDER BY (the users' default, by name): a set inside IN needs none.
    sql, params = team_and_self(marker).order_by().query.sql_with_params()
    if params != (0, 0):  # the statement's parameters must be the lead's id, twice
        raise AssertionError(f"unexpected parameters of team_and_self: {params!r}")
    return sql


# The ids of the stand-in user a statement is compiled for and of its team: no real row has
# a negative id. The team's differs, so a read that depends on the viewer's team is refused.
_STAND_IN_ID = -7_301_999
_STAND_IN_TEAM_ID = -7_302_999
_VIEWER = ""  # in a compiled statement's parameter map: the viewer's id
# A compiled statement's parameter: whose value it is, and the adapter it goes through.
Slot = tuple[str, Callable[[object], object] | None]
_compiled: dict[tuple, tuple[str, tuple[Slot, ...]]] = {}

StandInValue = int | float | str | dt.date | dt.datetime | None


def compiled_for_viewer(
    name: str,
    build: Callable[..., tuple[str, Sequence]],
    user: User,
    /,
    **values: StandInValue,
) -> tuple[str, tuple]:
    """``build(user, **values)``'s SQL and parameters, with the SQL compiled once per process
    for each kind of viewer (role, active, superuser: what ``OwnedQuerySet.visible_to`` reads
    of a user besides the id) and kind of ``values`` (which are ``None``, the types of the
    others) under ``name``. Compiling a page's scoped querysets cost more than running them.

    ``build`` is called once, with a stand-in user and a stand-in of each value's type; every
    parameter of its statement must be the stand-in user's id (an agent's ``owner_id = %s``, a
    lead's team subquery) or one of the stand-in values, each then replaced by the caller's.
    A statement with any other parameter (the viewer's team, as ``Team.objects.visible_to``
    reads it, or a value of ``build``'s own, or one the ORM changed on the way) is refused
    when first compiled, so it cannot be given another user's values. A ``None`` value is
    passed as itself, since it usually changes the statement's shape (``IS NULL``)."""
    from crm.models import User

    if not isinstance(user, User) or user.pk is None:  # anonymous or unsaved: as asked
        sql, params = build(user, **values)
        return sql, tuple(params)
    kinds = tuple((key, _kind(value)) for key, value in sorted(values.items()))
    cache_key = (name, user.role, user.is_active, user.is_superuser, kinds)
    found = _compiled.get(cache_key)
    if found is None:
        found = _compiled[cache_key] = _compile(name, build, user, values)
    sql, slots = found
    params = []
    for key, adapt in slots:
        value = user.pk if key == _VIEWER else values[key]
        params.append(value if adapt is None else adapt(value))
    return sql, tuple(params)


def _compile(
    name: str, build: Callable[..., tuple[str, Sequence]], user: User, values: dict
) -> tuple[str, tuple[Slot, ...]]:
    from crm.models import User

    stand_in = User(
        pk=_STAND_IN_ID,
        team_id=_STAND_IN_TEAM_ID,
        role=user.role,
        is_active=user.is_active,
        is_superuser=user.is_superuser,
    )
    markers: list[tuple[object, Slot]] = [(_STAND_IN_ID, (_VIEWER, None))]
    stand_in_values = {}
    for n, (key, value) in enumerate(sorted(values.items()), start=1):
        marker = _stand_in_value(value, n)
        stand_in_values[key] = marker
        if marker is None:
            continue
        markers.append((marker, (key, None)))
        # Some databases (SQLite) take a date or date-time as the text the ORM makes of it:
        # the caller's value is then made into text the same way.
        if isinstance(marker, dt.datetime):
            adapt = connection.ops.adapt_datetimefield_value
            markers.append((adapt(marker), (key, adapt)))
        elif isinstance(marker, dt.date):
            adapt = connection.ops.adapt_datefield_value
            markers.append((adapt(marker), (key, adapt)))
    sql, params = build(stand_in, **stand_in_values)
    slots = []
    for param in params:
        slot = next(
            (slot for marker, slot in markers if type(param) is type(marker) and param == marker),
            None,
        )
        if slot is None:
            raise ValueError(
                f"{name}: a parameter other than the viewer's id and the values given: {params!r}"
            )
        slots.append(slot)
    return sql, tuple(slots)


def _kind(value: StandInValue) -> str:
    naive = isinstance(value, dt.datetime) and value.tzinfo is None
    return f"{type(value).__name__}{' naive' if naive else ''}"


def _stand_in_value(value: StandInValue, n: int) -> StandInValue:
    """A value of ``value``'s type that no real parameter takes, the ``n``-th of its kind."""
    if value is None:
        return None
    if type(value) is int:
        return -7_310_000 - n
    if type(value) is float:
        return -7_310_000.5 - n
    if type(value) is str:
        return f"\u27e8stand-in {n}\u27e9"
    if type(value) is dt.datetime and value.tzinfo is not None:
        return dt.datetime(1901, 2, 3, 4, 5, 6, n, tzinfo=dt.UTC)
    if type(value) is dt.date:
        return dt.date(1901, 2, 3) + dt.timedelta(days=n)
    raise TypeError(f"no stand-in for {value!r}: an int, float, str, date or aware datetime")


class OwnedQuerySet(models.QuerySet):
    """Rows owned by an agent; ``owner_path`` is the lookup from this model to the agent."""

    owner_path: str = "owner"

    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        owner = self.owner_path
        if user.role == Role.LEAD:
            # The owners as a subquery, not an OR across the team join: the planner can then
            # use each model's (owner, ...) indexes instead of reading the whole table.
            return self.filter(**{f"{owner}__in": team_and_self_sql(user)})
        if user.role == Role.AGENT:
            return self.filter(**{owner: user})
        return self.none()

    def owned_by(self, user: User) -> Self:
        """Only the user's own rows, whatever their role (an agent's working set)."""
        return self.filter(**{self.owner_path: user})
