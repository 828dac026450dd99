"""API fuzzing: schemathesis reads /api/schema/ and sends generated requests, in process
through the WSGI app, with an agent's token. No answer may be a 5xx, and every status code
must be one the schema documents. Bounded: 10 examples per operation, no shrinking."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, status_code_conformance

from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.wsgi import application
from scheduler.tests.factories import PostFactory, default_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis' WSGI client sends
    # As Django's test client does: the WSGI handler's request signals would close the test's
    # database connection (and its transaction) after every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def agent_token(db, monkeypatch) -> str:
    """An agent with a few rows of each kind, so some generated ids hit real objects."""
    from rest_framework.throttling import UserRateThrottle

    # The fuzzer sends a few hundred requests a minute as one user; throttling is tested in
    # test_brute_force, here it would only turn answers into 429s.
    monkeypatch.setattr(UserRateThrottle, "rate", "100000/minute", raising=False)
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    persona = PersonaFactory(owner=agent)
    default_window("commute")
    for _ in range(3):
        ContactFactory(owner=agent, persona=persona)
        GroupFactory(owner=agent)
        TagFactory(owner=agent)
        PostFactory(persona=persona)
    return Token.objects.create(user=agent).key


@schema.parametrize()
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    # Generated cases only: no shrinking, and no schemathesis coverage phase (hundreds of
    # boundary cases per operation), so the run stays bounded in CI.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_no_5xx_and_only_documented_status_codes(case, agent_token):
    # Each example runs in a savepoint rolled back afterwards: every example starts from the
    # same rows, and a database error in one cannot poison the transaction for the next.
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers={"Authorization": f"Token {agent_token}"})
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/posts/?after=2026-01-01T10:00:00%2B17:43",
        "/api/v1/interactions/?at_after=2026-01-01T10:00:00%2B17:43",
    ],
)
def test_datetime_filter_with_an_offset_postgres_refuses_is_a_400(url, agent_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {agent_token}")
    savepoint = transaction.savepoint()
    try:
        response = client.get(url)
    finally:
        transaction.savepoint_rollback(savepoint)
    assert response.status_code == 400
    assert set(response.json()) & {"after", "at_after"}
