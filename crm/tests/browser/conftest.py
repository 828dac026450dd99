"""Shared set-up for the browser tests: seed rows back after a flush, sign in through the page.

Browser tests run on ``live_server`` with a transactional database, and a transactional test
empties every table when it ends, the rows the data migrations wrote included (role groups
and their permissions, compliance rules, interaction kinds, default posting windows). Each
test here first puts those rows back (the root conftest's ``migration_rows``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone


@pytest.fixture(autouse=True)
def _seed_rows(migration_rows, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


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
