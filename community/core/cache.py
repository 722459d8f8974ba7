"""A Redis cache that degrades instead of failing when Redis goes away.

Redis holds nothing that cannot be rebuilt: sessions are written to the database too
(``cached_db``), rate-limit counters and cached pages are derived. So when Redis stops
answering, each process logs it once, loudly, and carries on with a fallback:

* ``"FALLBACK": "locmem"`` (the default cache): this process's own memory. Rate limits
  (the login throttle among them) keep limiting, per process instead of site-wide.
* ``"FALLBACK": "dummy"`` (sessions): no cache at all, so every session is read from
  the database. Never a per-process copy: a member signing out on one app server must
  be signed out on all of them.

While Redis is away it is tried again every RETRY_SECONDS, not on every call, so a dead
Redis costs one short timeout now and then, not one per request. When it answers again
it is cleared once: deletions made while it was away (a sign-out, a changed feed) never
reached it, and what it still holds may be stale.
"""

import logging
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("community.core.cache")

RETRY_SECONDS = 5.0
FALLBACKS = {"locmem": LocMemCache, "dummy": DummyCache}


class ReusedRedisClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every cache call, and redis-py's
    constructor fills a table of some 170 reply callbacks each time: about 0.17 ms of CPU,
    more than the GET it wraps (0.09 ms), paid by every signed-in request for its session.
    One ``redis.Redis`` per connection pool instead; it is safe to share, since it takes a
    connection from the pool for each command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "locmem")
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedRedisClient
        self._fallback = FALLBACKS[fallback](f"fallback-{fallback}-{id(self)}", {})
        self._down_since: float | None = None
        self._retry_at = 0.0

    @property
    def degraded(self) -> bool:
        """Whether this process is using its fallback, which other processes do not share."""
        return self._down_since is not None

    def _call(self, name: str, *args, **kwargs):
        if self._down_since is not None and not self._back_again():
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            self._went_down(error)
            return getattr(self._fallback, name)(*args, **kwargs)

    def _went_down(self, error: RedisError) -> None:
        now = time.monotonic()
        self._retry_at = now + RETRY_SECONDS
        if self._down_since is None:
            self._down_since = now
            logger.error(
                "REDIS UNAVAILABLE error=%s fallback=%s; sessions are read from the database, "
                "rate limits count in this process only, until Redis answers again",
                type(error).__name__,
                type(self._fallback).__name__,
            )

    def _back_again(self) -> bool:
        """Whether Redis answers again (asked at most every RETRY_SECONDS). Before it is
        used again it is cleared, since the changes made meanwhile never reached it."""
        if time.monotonic() < self._retry_at:
            return False
        try:
            super().clear()
        except RedisError as error:
            self._went_down(error)
            return False
        away = time.monotonic() - self._down_since
        self._down_since = None
        self._fallback.clear()
        logger.warning("redis available again after %.0fs; its cache was cleared (it missed changes)", away)
        return True

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
