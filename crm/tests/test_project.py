"""Project-level guarantees: migrations in step, deploy checks clean, demo seed idempotent."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from crm.models import Team, User
from crm.roles import ROLE_GROUPS, Role
from crm.services import user_set_role
from crm.tests.factories import AgentFactory

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x7Qz9vLm2Rt8Wp4Ns6Yb1Hc5Jd0Gf3Ek" * 2,
    "ALLOWED_HOSTS": "siyu.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECURE_SSL_REDIRECT", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "SIYU_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "SIYU_VAR_DIR": str(tmp_path)}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_migrations_are_in_step_with_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_twice_creates_each_login_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(username__in=["lead", "agent1", "agent2", "agent3"]).count() == 4
    team = Team.objects.get()
    assert team.lead.username == "lead"
    assert set(team.members.values_list("username", flat=True)) == {
        "lead",
        "agent1",
        "agent2",
        "agent3",
    }
    assert User.objects.get(username="curator").groups.get().name == ROLE_GROUPS[Role.CURATOR]


@pytest.mark.django_db
def test_role_change_moves_groups_and_staff_access():
    agent = AgentFactory()
    user_set_role(user=agent, role=Role.CURATOR)
    agent.refresh_from_db()
    assert agent.is_staff
    assert list(agent.groups.values_list("name", flat=True)) == [ROLE_GROUPS[Role.CURATOR]]
    user_set_role(user=agent, role=Role.AGENT)
    agent.refresh_from_db()
    assert not agent.is_staff
    assert list(agent.groups.values_list("name", flat=True)) == [ROLE_GROUPS[Role.AGENT]]
    assert Group.objects.filter(name__in=ROLE_GROUPS.values()).count() == 4


@pytest.mark.django_db
def test_agent_cannot_reach_the_admin(client):
    client.force_login(AgentFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_translations_are_complete():
    po = (ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    entries = po.split("\n\n")[1:]
    untranslated = [
        e for e in entries if e.rstrip().endswith('msgstr ""') and "msgid_plural" not in e
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]
