"""The main menu: each role's links, the current page marked, in the user's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from crm.tests.factories import AgentFactory, CuratorFactory, LeadFactory

pytestmark = pytest.mark.django_db


def menu(html: str) -> list[tuple[str, bool, str]]:
    nav = html[html.index('<ul class="nav">') : html.index("</ul>")]
    return [
        (href, bool(current), label)
        for href, current, label in re.findall(
            r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>', nav
        )
    ]


def test_a_lead_sees_the_team_calendar_and_the_current_page_is_marked(client):
    client.force_login(LeadFactory(language="en"))
    items = menu(client.get(reverse("scheduler-team")).content.decode())
    assert (reverse("scheduler-team"), True, "Team calendar") in items
    assert [current for _, current, _ in items].count(True) == 1
    home = menu(client.get(reverse("home")).content.decode())
    assert (reverse("home"), True, "Home") in home
    assert (reverse("scheduler-team"), False, "Team calendar") in home


def test_an_agent_has_no_team_calendar_and_a_curator_no_contacts(client):
    client.force_login(AgentFactory(language="en"))
    agent = {href for href, _, _ in menu(client.get(reverse("home")).content.decode())}
    assert reverse("contacts:list") in agent and reverse("scheduler-team") not in agent
    client.force_login(CuratorFactory(language="en"))
    curator = menu(client.get(reverse("home")).content.decode())
    assert reverse("contacts:list") not in {href for href, _, _ in curator}


def test_labels_follow_each_users_language(client):
    client.force_login(AgentFactory(language="en"))
    assert (reverse("contacts:list"), False, "Contacts") in menu(
        client.get(reverse("home")).content.decode()
    )
    client.force_login(AgentFactory(language="zh-hans"))
    with translation.override("zh-hans"):
        label = translation.gettext("Contacts")
    assert label != "Contacts"
    assert (reverse("contacts:list"), False, label) in menu(
        client.get(reverse("home")).content.decode()
    )
