"""The main navigation: which links each role sees. Apps add their entries here."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]


ALL_ROLES = frozenset(Role.values)
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", ALL_ROLES),
    NavItem(_("My team"), "team-mine", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Content library"), "content-library", ALL_ROLES),
    NavItem(_("Check my draft"), "content-check", ALL_ROLES),
    NavItem(_("Contacts"), "contacts:list", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Personas"), "contacts:personas", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Post calendar"), "scheduler-week", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Ready to post"), "scheduler-today", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Team calendar"), "scheduler-team", frozenset({Role.LEAD})),
    NavItem(_("Insights"), "scheduler-insights", frozenset({Role.AGENT, Role.LEAD})),
]


def items_for(role: str) -> list[NavItem]:
    return [item for item in NAVIGATION if role in item.roles]
