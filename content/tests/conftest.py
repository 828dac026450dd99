import pytest

from crm.roles import Role
from crm.services import user_set_role
from crm.tests.factories import AdminFactory, AgentFactory, CuratorFactory, LeadFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def curator(db):
    """A curator with the group permissions the data migration gave "Content curators"."""
    return user_set_role(user=CuratorFactory(), role=Role.CURATOR)


@pytest.fixture
def site_admin(db):
    return user_set_role(user=AdminFactory(), role=Role.ADMIN)


@pytest.fixture
def agent(db):
    return user_set_role(user=AgentFactory(), role=Role.AGENT)


@pytest.fixture
def lead(db):
    return user_set_role(user=LeadFactory(), role=Role.LEAD)


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Each test starts from its own database's rules, not a checker cached by an earlier test
    whose rule edits were rolled back (the cache outlives the test transaction)."""
    from content.compliance_rules import rules_changed

    rules_changed()
    yield
    rules_changed()
