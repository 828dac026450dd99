"""The API's per-user throttle in Redis (``crm.api.throttling``): DRF's window and answers,
every request counted when several are served at once, DRF's own without Redis."""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings
from rest_framework import throttling as drf

from crm.api.throttling import UserRateThrottle
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(cls, rate: str, scope: str, clock: Clock, **attrs):
    """A throttle of ``cls`` at ``rate``, counting under ``scope``, reading ``clock``."""
    throttle = type("Throttle", (cls,), {"rate": rate, "scope": scope, **attrs})()
    throttle.timer = clock
    return throttle


def _request(user) -> SimpleNamespace:
    return SimpleNamespace(user=user, META={})


@pytest.mark.redis
def test_it_answers_as_drfs_own_throttle_over_a_window():
    """The same times give the same answers and the same wait as DRF's list in a cache:
    requests up to the rate, refusals not counted, the oldest falling out of the window
    exactly one period later."""
    user = AgentFactory()
    scope = uuid.uuid4().hex
    clock = Clock(1_800_000_000.25)
    ours = _throttle(UserRateThrottle, "3/minute", scope, clock)
    reference = _throttle(
        drf.UserRateThrottle, "3/minute", scope, clock, cache=LocMemCache(scope, {})
    )
    answers = []
    for at in (0, 0.5, 1, 30, 59.9, 60, 60.1, 61, 61.2, 120.5, 200):
        clock.now = 1_800_000_000.25 + at
        mine = ours.allow_request(_request(user), None)
        theirs = reference.allow_request(_request(user), None)
        assert mine == theirs, at
        if not mine:
            assert ours.wait() == pytest.approx(reference.wait()), at
        answers.append(mine)
    assert answers == [True, True, True, False, False, True, False, True, True, True, True]


@pytest.mark.redis
def test_it_counts_two_requests_made_at_the_same_instant():
    user = AgentFactory()
    clock = Clock(1_800_000_000.0)
    throttle = _throttle(UserRateThrottle, "2/minute", uuid.uuid4().hex, clock)
    assert throttle.allow_request(_request(user), None)
    assert throttle.allow_request(_request(user), None)
    assert not throttle.allow_request(_request(user), None)
    assert throttle.wait() == pytest.approx(60.0)


@pytest.mark.redis
def test_it_counts_every_request_when_many_are_served_at_once():
    """Eight threads, one throttle each (as each web process has its own), 40 requests
    apiece for one user allowed 100 a minute: exactly 100 pass. DRF's read-then-write lets
    through each request whose write lost to another's."""
    user = AgentFactory()
    scope = uuid.uuid4().hex
    allowed = []
    start = threading.Barrier(8)

    def serve() -> None:
        throttle = type("Throttle", (UserRateThrottle,), {"rate": "100/minute", "scope": scope})()
        start.wait()
        mine = [throttle.allow_request(_request(user), None) for _ in range(40)]
        allowed.extend(mine)

    threads = [threading.Thread(target=serve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 100
    backend = caches["default"]
    key = backend.make_and_validate_key(f"throttle-log:{scope}:{user.pk}")
    assert backend._cache.get_client().zcard(key) == 100


@pytest.mark.redis
def test_a_users_window_expires_after_its_period():
    user = AgentFactory()
    throttle = _throttle(UserRateThrottle, "5/minute", uuid.uuid4().hex, Clock(1_800_000_000.0))
    throttle.allow_request(_request(user), None)
    backend = caches["default"]
    ttl = backend._cache.get_client().ttl(backend.make_and_validate_key(throttle.key))
    assert 0 < ttl <= 60


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_without_redis_drfs_own_throttle_counts():
    user = AgentFactory()
    clock = Clock(1_800_000_000.0)
    throttle = _throttle(UserRateThrottle, "2/minute", uuid.uuid4().hex, clock)
    assert [throttle.allow_request(_request(user), None) for _ in range(3)] == [True, True, False]
    assert throttle.wait() == pytest.approx(60.0)
