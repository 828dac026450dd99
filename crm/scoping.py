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

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from crm.roles import Role

if TYPE_CHECKING:
    from crm.models import User


def sees_everything(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def team_and_self(lead: User) -> models.QuerySet:
    """Ids of a lead and of the members of the team they lead, as a subquery."""
    from crm.models import User

    return User.objects.filter(Q(pk=lead.pk) | Q(team__lead=lead)).order_by().values("pk")


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
            return self.filter(**{f"{owner}__in": team_and_self(user)})
        if user.role == Role.AGENT:
            return self.filter(**{owner: user})
        return self.none()

    def owned_by(self, user: User) -> Self:
        """Only the user's own rows, whatever their role (an agent's working set)."""
        return self.filter(**{self.owner_path: user})
