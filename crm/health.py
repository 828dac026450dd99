"""Liveness of the parts Siyu cannot work without: the database and the Celery broker."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connections
from kombu import Connection


def database_status(alias: str = "default") -> tuple[bool, str]:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def broker_status(url: str | None = None, timeout: float = 2.0) -> tuple[bool, str]:
    """Open (and close) one connection to the broker, failing within ``timeout`` seconds."""
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}))
    try:
        with Connection(
            url or settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options=options,
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
    except Exception as exc:  # kombu raises transport-specific errors; all mean "down"
        return False, exc.__class__.__name__
    return True, "ok"
