"""The API's per-user throttle, checked and recorded in Redis in one atomic round trip.

DRF's ``UserRateThrottle`` keeps each user's request times as a list in the cache: every
request reads the whole list (up to the rate's 1,200 times, pickled), drops the old ones and
writes it back. That is two round trips and two pickles of the list a request, about a sixth
of the contacts API list's time under load (``docs/PERFORMANCE.md``). And two requests of one
user served at once by two web processes both read the same list and each write back its own,
so one of them is never counted.

``UserRateThrottle`` here keeps the same sliding window (at most N requests in any period;
a refused request is not counted; the same ``Retry-After``) as a sorted set of request times
per user, updated by one Lua script that Redis runs atomically. Without a Redis cache (the
embedded demo, one process) DRF's own runs.
"""

from __future__ import annotations

import secrets

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from rest_framework import throttling

# KEYS[1]: the user's request times, a sorted set scored by time.
# ARGV: now, the oldest time still in the window's past (now - duration), the limit, a member
# naming this request, the key's lifetime in seconds. The times are passed as Python wrote
# them, never made into Lua numbers: Lua 5.1 writes a number back as text with 14 significant
# digits, which would round a time to the tenth of a millisecond.
_RECORD = Script(
    None,  # run on the client each call passes
    b"""
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {0, count, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, count + 1}
""",
)


def _redis_cache() -> RedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's per-user throttle, its window kept in Redis and updated in one step (see the
    module)."""

    # Not DRF's key: a list DRF pickled under it would be the wrong type for a sorted set.
    cache_format = "throttle-log:%(scope)s:%(ident)s"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        backend = _redis_cache()
        if backend is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, count, *oldest = _RECORD(
            keys=[backend.make_and_validate_key(self.key)],
            args=[
                repr(self.now),
                repr(self.now - self.duration),
                self.num_requests,
                f"{self.now!r}:{secrets.token_hex(4)}",
                self.duration,
            ],
            client=backend._cache.get_client(write=True),
        )
        self._count = count
        self._oldest = float(oldest[0]) if oldest else None
        return bool(allowed)

    def wait(self) -> float | None:
        """DRF's: the rest of the oldest request's period, shared among the requests that
        will then be free."""
        if not hasattr(self, "_count"):  # DRF's own path ran
            return super().wait()
        remaining = self.duration
        if self._oldest is not None:  # None only at a rate of 0 a period
            remaining -= self.now - self._oldest
        available = self.num_requests - self._count + 1
        return remaining / available if available > 0 else None
