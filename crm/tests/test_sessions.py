"""Sessions: with Redis, a signed-in request reads its session from the cache, not the
database; signing out ends it for every process (the cache is shared)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.roles import Role
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


def _users_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "crm_user" WHERE' in q["sql"]]


def test_a_signed_in_request_reads_the_user_from_the_cache(client):
    assert settings.AUTHENTICATION_BACKENDS[-1] == "crm.auth_backends.CachedModelBackend"
    agent = AgentFactory()
    client.force_login(agent)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == agent.pk
    assert not _users_queries(queries)


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    agent = AgentFactory()
    client.force_login(agent)
    assert client.get(reverse("home")).status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get(reverse("home")).status_code == 302


def test_a_changed_role_and_language_show_on_the_next_request(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    client.get(reverse("home"))
    agent.language = "en"
    agent.role = Role.LEAD
    agent.save(update_fields=["language", "role"])
    response = client.get(reverse("home"))
    assert response.wsgi_request.user.language == "en"
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert response.wsgi_request.user.role == Role.LEAD


def test_a_new_password_ends_the_other_sessions(client, django_user_model):
    agent = AgentFactory()
    client.force_login(agent)
    client.get(reverse("home"))
    agent.set_password("another-long-password-2026")
    agent.save()
    assert client.get(reverse("home")).status_code == 302


def test_a_deleted_user_is_signed_out(client):
    agent = AgentFactory()
    client.force_login(agent)
    client.get(reverse("home"))
    agent.delete()
    assert client.get(reverse("home")).status_code == 302


def test_a_cached_inactive_user_is_refused(client):
    """Even an entry written before the deactivation (a write that bypassed the signals)."""
    from crm.auth_backends import CachedModelBackend, user_cache_key

    agent = AgentFactory()
    agent.is_active = False
    cache.set(user_cache_key(agent.pk), agent)
    assert CachedModelBackend().get_user(agent.pk) is None
