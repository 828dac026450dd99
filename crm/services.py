"""Writes on users, teams and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import models, transaction

from crm.models import AuditEvent, Team, User
from crm.roles import ROLE_GROUPS, STAFF_ROLES, Role


def audit_log(
    *, actor: User | None, action: str, target: models.Model | None = None, **detail: Any
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``target``. Detail values must be JSON-able."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail,
    )


@transaction.atomic
def user_set_role(*, user: User, role: Role | str, actor: User | None = None) -> User:
    """Give ``user`` the role, the matching permission group and staff access when it needs it.

    The caller may rely on the user being in exactly one role group afterwards.
    """
    role = Role(role)
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()).exclude(pk=group.pk))
    user.groups.add(group)
    previous = user.role
    user.role = role
    user.is_staff = role in STAFF_ROLES or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    if previous != role:
        audit_log(actor=actor, action="user.role", target=user, old=previous, new=str(role))
    return user


@transaction.atomic
def team_create(*, name: str, lead: User | None = None, members: list[User] = ()) -> Team:
    """Create a team; the lead gets the lead role and belongs to the team too."""
    team = Team.objects.create(name=name, lead=lead)
    if lead is not None:
        user_set_role(user=lead, role=Role.LEAD)
        lead.team = team
        lead.save(update_fields=["team"])
    for member in members:
        member.team = team
        member.save(update_fields=["team"])
    return team
