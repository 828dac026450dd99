"""Sessions: with Redis, a signed-in request reads its session from the cache, not the
database; signing out ends it for every process (the cache is shared)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.tests.factories import AgentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_a_signed_in_request_reads_no_session_row(client):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    client.force_login(AgentFactory())
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_signing_out_removes_the_cached_session(client):
    client.force_login(AgentFactory())
    key = client.session.session_key
    client.get(reverse("home"))
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    client.post(reverse("logout"))
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    assert client.get(reverse("home")).status_code == 302
