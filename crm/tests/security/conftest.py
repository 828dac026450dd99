"""Fixtures for the attack tests: two teams, their leads and agents, and a curator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm.models import User
from crm.tests.factories import AgentFactory, CuratorFactory, LeadFactory


@dataclass
class World:
    """Agent ``owner`` in team A with ``lead``; ``other_agent`` and ``other_lead`` in team B."""

    owner: User
    lead: User
    other_agent: User
    other_lead: User
    curator: User


@pytest.fixture
def world(db) -> World:
    lead = LeadFactory()
    other_lead = LeadFactory()
    return World(
        owner=AgentFactory(team=lead.led_team),
        lead=lead,
        other_agent=AgentFactory(team=other_lead.led_team),
        other_lead=other_lead,
        curator=CuratorFactory(),
    )
