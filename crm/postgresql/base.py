"""Django's PostgreSQL backend, its per-request health check sent only when it can fail.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: one more round trip to the server on every page and API call. A
connection the server has ended (a restart, ``pg_terminate_backend``, a pooler's time-out)
has its last message or its end waiting on the socket, so the socket reads as ready. Asked
first, without waiting, a socket with nothing to read and a connection psycopg does not know
to be broken skip the ``SELECT 1``; either sign sends it, and Django reconnects if it fails.

A connection lost without a word (a cable, a firewall dropping idle state) shows nothing,
and its ``SELECT 1`` would wait for the network's time-out as the page's first query does.
``CONN_MAX_AGE`` (60 s by default here) closes a connection before most such time-outs.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.pool is None
            and self._looks_open()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _looks_open(self) -> bool:
        """Whether psycopg and the socket show nothing wrong with the open connection."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        try:
            poll = select.poll()
            poll.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poll.poll(0)
        except (OSError, ValueError):
            return False
