"""Demo users and team. Other apps add their demo data in their own ``<app>/demo.py``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from crm.auth_backends import forget_users
from crm.models import Team, User
from crm.roles import Role
from crm.services import user_set_role

DEMO_PASSWORD = "siyu-demo-2026"
TEAM_NAME = "华东一部"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str


DEMO_LOGINS = [
    DemoLogin("lead", Role.LEAD, "王团长"),
    DemoLogin("agent1", Role.AGENT, "小李"),
    DemoLogin("agent2", Role.AGENT, "小张"),
    DemoLogin("agent3", Role.AGENT, "小陈"),
    DemoLogin("curator", Role.CURATOR, "内容运营"),
    DemoLogin("admin", Role.ADMIN, "管理员"),
]


@transaction.atomic
def seed(stdout=None) -> list[DemoLogin]:
    """Create (or refresh) the demo team and logins. Running it twice changes nothing more."""
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username, defaults={"display_name": login.display_name}
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
        user.is_superuser = login.role == Role.ADMIN
        user.save()
        user_set_role(user=user, role=login.role)
        users[login.username] = user
    team, _ = Team.objects.get_or_create(name=TEAM_NAME, defaults={"lead": users["lead"]})
    if team.lead_id != users["lead"].pk:
        team.lead = users["lead"]
        team.save(update_fields=["lead"])
    members = User.objects.filter(username__in=["lead", "agent1", "agent2", "agent3"])
    members.update(team=team)
    forget_users(members.values_list("pk", flat=True))
    return DEMO_LOGINS
