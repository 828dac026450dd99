"""The per-request connection health check (``crm.postgresql``): no round trip on a sound
connection, a new connection when the server has ended the old one."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _last_statement(pid: int) -> str:
    """What the server process ``pid`` last ran, read over a connection of its own."""
    with psycopg.connect(**connection.get_connection_params()) as other:
        row = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0]


def _next_request() -> None:
    """What Django does between two requests on a kept connection (``request_finished``)."""
    connection.close_if_unusable_or_obsolete()


def test_it_is_on_for_the_project():
    assert connection.health_check_enabled


def test_a_sound_connection_is_reused_without_a_select_1():
    marker = f"SELECT 'health-{uuid.uuid4().hex}'"
    with connection.cursor() as cursor:
        cursor.execute(marker)
    pid = connection.connection.info.backend_pid
    _next_request()
    with connection.cursor() as cursor:  # the next request's first query checks the connection
        pass
    assert connection.connection.info.backend_pid == pid
    assert _last_statement(pid) == marker


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        # With a time-out the server waits until the process has gone (PostgreSQL 14+). A loop
        # over pg_stat_activity cannot wait for it: each transaction reads one snapshot of it.
        gone = other.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
    assert gone, f"the server process {pid} was still there 10 s after it was told to end"
    _next_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid
