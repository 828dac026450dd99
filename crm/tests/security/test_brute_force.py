"""Password guessing: django-axes locks a username from an address after five failures, on the
web login and the token endpoint alike; the login form keeps CSRF; the API throttles."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"  # the factories' password
TOKEN_URL = "/api/v1/auth/token/"


def _address() -> str:
    """A fresh client address per test, so no other test's attempts or throttle count."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def web_login(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )


def token_login(username: str, password: str, address: str):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def test_five_failed_web_logins_lock_the_account_from_that_address():
    agent = AgentFactory()
    address = _address()
    for _ in range(4):
        response = web_login(agent.username, "wrong", address)
        assert response.status_code == 200  # the form again, with the error
    locked = web_login(agent.username, "wrong", address)
    assert locked.status_code == 429
    # The reason, in the page's language (Chinese for a visitor who is not signed in).
    assert "登录失败次数过多，请 15 分钟后再试" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60

    # The right password does not help during the cool-off, and no session is made.
    right = web_login(agent.username, PASSWORD, address)
    assert right.status_code == 429
    assert "_auth_user_id" not in right.client.session

    # Another address is not locked: the lock is on the pair, not on the agent.
    assert web_login(agent.username, PASSWORD, _address()).status_code == 302


def test_the_lock_lifts_after_the_cool_off():
    agent = AgentFactory()
    address = _address()
    for _ in range(5):
        web_login(agent.username, "wrong", address)
    assert web_login(agent.username, PASSWORD, address).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=5)
    with time_machine.travel(later):
        assert web_login(agent.username, PASSWORD, address).status_code == 302


def test_token_endpoint_locks_after_five_failures_and_refuses_the_right_password():
    agent = AgentFactory()
    address = _address()
    for _ in range(4):
        assert token_login(agent.username, "wrong", address).status_code == 400
    locked = token_login(agent.username, "wrong", address)
    assert locked.status_code == 429
    assert "15" in locked.json()["detail"]
    refused = token_login(agent.username, PASSWORD, address)
    assert refused.status_code == 429
    assert "token" not in refused.json()
    assert not Token.objects.filter(user=agent).exists()
    # From elsewhere the agent still gets a token.
    elsewhere = token_login(agent.username, PASSWORD, _address())
    assert elsewhere.status_code == 200 and elsewhere.json()["token"]


def test_failures_on_the_web_and_the_api_add_up():
    agent = AgentFactory()
    address = _address()
    for _ in range(3):
        web_login(agent.username, "wrong", address)
    token_login(agent.username, "wrong", address)
    assert token_login(agent.username, "wrong", address).status_code == 429
    assert web_login(agent.username, PASSWORD, address).status_code == 429


def test_a_success_before_the_limit_resets_the_count():
    agent = AgentFactory()
    address = _address()
    for _ in range(4):
        web_login(agent.username, "wrong", address)
    assert web_login(agent.username, PASSWORD, address).status_code == 302
    for _ in range(4):
        assert web_login(agent.username, "wrong", address).status_code == 200


def test_login_form_refuses_a_post_without_the_csrf_token():
    agent = AgentFactory()
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("login"), {"username": agent.username, "password": PASSWORD})
    assert refused.status_code == 403
    page = client.get(reverse("login"))
    token = page.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in page.content.decode()
    accepted = client.post(
        reverse("login"),
        {"username": agent.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302


def test_session_api_writes_need_the_csrf_token():
    """Token clients are exempt; a browser session on the API is not."""
    agent = AgentFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post("/api/v1/tags/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.fixture
def tight_throttles(monkeypatch):
    """Three requests a minute, counted under keys no other test (or earlier run) used."""
    scope = uuid.uuid4().hex[:8]
    for throttle in (AnonRateThrottle, UserRateThrottle):
        monkeypatch.setattr(throttle, "rate", "3/minute", raising=False)
        monkeypatch.setattr(throttle, "scope", f"{throttle.scope}-{scope}")


def test_api_throttles_a_signed_in_user_with_429(tight_throttles):
    client = APIClient()
    client.force_authenticate(AgentFactory())
    statuses = [client.get("/api/v1/contacts/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = client.get("/api/v1/contacts/")
    assert last.status_code == 429 and int(last["Retry-After"]) > 0


def test_token_endpoint_is_throttled_per_address(tight_throttles):
    address = _address()
    statuses = [token_login(f"nobody{i}", "x", address).status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]
