"""The signed-in user, read from the shared cache instead of the users table on each request.

Every page and API call loads ``request.user``: with Redis configured, the session comes from
Redis already (``cached_db``), and the user row was the request's one fixed query (about half
a millisecond of ORM and a round trip to PostgreSQL on every request). ``CachedModelBackend``
keeps each user in the cache under ``user_cache_key(pk)``, dropped whenever the row is saved or
deleted (``forget_user`` on ``post_save`` / ``post_delete``), so a deactivation, a deletion, a
role, team or language change, or a new password (which also ends the user's other sessions
through the session hash) is seen on the next request. Writes that bypass the model's signals
(``QuerySet.update``) are seen within ``USER_CACHE_SECONDS`` at the latest; the few that touch
users call ``forget_users``.

Only with a cache every web process shares (``settings.REDIS_URL``): with a per-process cache,
one worker's invalidation would not reach the others, so the settings keep Django's
``ModelBackend`` then.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from crm.models import User

USER_CACHE_SECONDS = 300


def user_cache_key(pk: object) -> str:
    return f"auth-user:{pk}"


def forget_user(pk: object) -> None:
    cache.delete(user_cache_key(pk))


def forget_users(pks: Iterable[object]) -> None:
    cache.delete_many([user_cache_key(pk) for pk in pks])


class CachedModelBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (the per-request read) goes through the cache;
    signing in, passwords and permissions are ``ModelBackend``'s."""

    def get_user(self, user_id: object) -> User | None:
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        # ``super().get_user`` checks this on a miss; checked on a hit too, so a cached entry
        # can never let an inactive user back in.
        return user if self.user_can_authenticate(user) else None
