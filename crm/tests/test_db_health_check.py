"""The per-request connection health check (Django's ``CONN_HEALTH_CHECKS``): a kept
connection is reused while it is sound, and replaced before a request's first query when the
server has ended it (a restart, ``pg_terminate_backend``, a pooler's time-out)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _next_request() -> None:
    """What Django does between two requests on a kept connection (``request_finished``)."""
    connection.close_if_unusable_or_obsolete()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_it_is_on_for_the_project():
    assert connection.health_check_enabled


def test_a_sound_connection_is_reused():
    pid = _backend_pid()
    _next_request()
    assert _backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    pid = _backend_pid()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        # With a time-out the server waits until the process has gone (PostgreSQL 14+). A loop
        # over pg_stat_activity cannot wait for it: each transaction reads one snapshot of it.
        gone = other.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
    assert gone, f"the server process {pid} was still there 10 s after it was told to end"
    _next_request()
    assert _backend_pid() != pid
