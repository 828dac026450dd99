"""The four roles and what each may see.

A user's role is a field on the user (one role each); Django groups of the same names carry the
admin-site permissions for that role and are kept in step by ``user_set_role``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Team lead")
    CURATOR = "curator", _("Content curator")
    ADMIN = "admin", _("Administrator")


# Group name per role. The group is what Django's admin checks permissions against.
ROLE_GROUPS: dict[str, str] = {
    Role.AGENT: "Agents",
    Role.LEAD: "Team leads",
    Role.CURATOR: "Content curators",
    Role.ADMIN: "Administrators",
}

# Roles that work in the admin site (curators curate content there, admins run it).
STAFF_ROLES = frozenset({Role.CURATOR, Role.ADMIN})
