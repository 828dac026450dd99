"""Shared set-up for the browser tests: seed rows back after a flush, sign in through the page.

Browser tests run on ``live_server`` with a transactional database, and a transactional test
empties every table when it ends, the rows the data migrations wrote included (role groups
and their permissions, compliance rules, interaction kinds, default posting windows). Each
test here first puts those rows back by running the migrations' own forward functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

# (module, forward function) of every data migration whose rows the pages rely on.
SEED_MIGRATIONS = [
    ("crm.migrations.0002_role_groups", "create_groups"),
    ("content.migrations.0002_role_permissions", "grant"),
    ("content.migrations.0003_seed_compliance_rules", "seed"),
    ("contacts.migrations.0002_interactions", "seed_kinds"),
    ("scheduler.migrations.0002_default_windows", "create_defaults"),
]


@pytest.fixture(autouse=True)
def _seed_rows(transactional_db, settings, tmp_path):
    """The data migrations' rows, as after ``migrate`` (each function is a get_or_create)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    content_config = apps.get_app_config("content")
    models_module = content_config.models_module  # "grant" overwrites it for historical apps
    try:
        for module, function in SEED_MIGRATIONS:
            getattr(import_module(module), function)(apps, None)
    finally:
        content_config.models_module = models_module
    from content.compliance_rules import rules_changed

    rules_changed()  # the cached checker belongs to the previous test's rule rows
    yield
    rules_changed()


@pytest.fixture
def login(page, live_server) -> Callable:
    """Sign ``user`` in through the login page (password of the user factories)."""

    def sign_in(user, *, on=page) -> None:
        on.goto(live_server.url + reverse("login"))
        on.locator("#id_username").fill(user.username)
        on.locator("#id_password").fill("pw-for-tests-123")
        on.locator("main form button[type=submit]").click()
        on.wait_for_url(live_server.url + reverse("home"))

    return sign_in


def earlier_today(user, minutes: int = 5) -> dt.datetime:
    """A moment a few minutes ago, but never before the start of the user's own day."""
    now = timezone.now()
    local = timezone.localtime(now, user.tzinfo)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - dt.timedelta(minutes=minutes), start)
