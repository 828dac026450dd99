"""The Redis cache backend reuses its client and still behaves as Django's."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.redis


def test_one_client_serves_every_call():
    backend = cache._cache
    assert type(backend).__name__ == "ReusingRedisCacheClient"
    assert backend.get_client("a") is backend.get_client("b", write=True)


def test_values_round_trip_through_the_shared_client():
    cache.set("test-cache:n", 41, 30)
    assert cache.incr("test-cache:n") == 42
    cache.set_many({"test-cache:a": {"x": [1, 2]}, "test-cache:b": "text"}, 30)
    assert cache.get_many(["test-cache:a", "test-cache:b"]) == {
        "test-cache:a": {"x": [1, 2]},
        "test-cache:b": "text",
    }
    cache.delete_many(["test-cache:n", "test-cache:a", "test-cache:b"])
    assert cache.get("test-cache:a") is None
