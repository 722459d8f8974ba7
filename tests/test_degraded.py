"""The site keeps serving when Redis goes away, and answers a stuck database with a
friendly 503 within seconds. (The same on the real stack: benchmarks/faults.py.)"""

import logging
import os
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from community.core import cache as fallback_cache
from community.pages import errors
from groups.posts import queries
from tests.conftest import DEAD_REDIS, REDIS_OPTIONS


def test_with_redis_down_a_member_stays_signed_in_and_pages_work(
    redis_down, make_member, make_group, add_member, make_post, caplog
):
    member = make_member("River", password="a-long-password-1")
    group = make_group("Harbour")
    add_member(group, member)
    post = make_post(group, member, title="Slow mornings")
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="community.core.cache"):
        response = client.post(reverse("account_login"), {"login": member.email, "password": "a-long-password-1"})
        assert response.status_code == 302
        for name in ["community:home", "groups:my-groups", "community:notification-list", "groups:group-list"]:
            for _asked_twice in range(2):  # what would be kept the second time
                page = client.get(reverse(name))
                assert page.status_code == 200, name
                assert page.wsgi_request.user == member
        assert "Slow mornings" in client.get(reverse("community:home")).content.decode()
        # Nothing is kept while the cache is not one every process shares.
        assert not queries.HELD_RECENT_POSTS._pages
        assert (
            "Slow <mark>mornings</mark>" in client.get(reverse("community:search"), {"q": "mornings"}).content.decode()
        )
        assert client.get(reverse("groups:my-meetings")).status_code == 200
        assert client.get(post.get_absolute_url()).status_code == 200
    # Said once per cache, loudly, not once per request.
    outages = [r for r in caplog.records if "REDIS UNAVAILABLE" in r.getMessage()]
    assert len(outages) == 2
    assert all(r.levelno == logging.ERROR for r in outages)


def test_with_redis_down_failed_logins_are_still_limited(redis_down, make_member):
    member = make_member("River", password="a-long-password-1")
    client = Client(raise_request_exception=False)
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong-guess"})
        assert response.status_code == 200
    # allauth allows 5 failed attempts per account in 5 minutes: then even the right password waits.
    blocked = client.post(reverse("account_login"), {"login": member.email, "password": "a-long-password-1"})
    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.content.decode()


def test_a_dead_redis_is_asked_again_only_every_few_seconds(monkeypatch):
    cache = fallback_cache.FallbackRedisCache(DEAD_REDIS, {"OPTIONS": REDIS_OPTIONS})
    probes = []
    real = fallback_cache.RedisCache.clear

    def counted(self):
        probes.append(1)
        return real(self)

    monkeypatch.setattr(fallback_cache.RedisCache, "clear", counted)
    cache.set("k", "v")
    assert cache.get("k") == "v"  # from this process's memory meanwhile
    for _ in range(20):
        cache.get("k")
    assert probes == []  # set() found Redis down; nothing asked it since
    cache._retry_at = time.monotonic() - 1
    assert cache.get("k") == "v"  # asked once, still down: the fallback answers
    assert probes == [1]


def test_redis_coming_back_is_cleared_once_and_used_again():
    """With the real Redis (db 13): what changed while it was away never reached it."""
    cache = fallback_cache.FallbackRedisCache("redis://127.0.0.1:6379/13", {"OPTIONS": REDIS_OPTIONS})
    try:
        cache.set("session-of-someone", "signed in")
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # It went away; meanwhile the member signed out (the delete reached only the fallback).
    cache._went_down(fallback_cache.RedisError("gone"))
    cache.delete("session-of-someone")
    cache._retry_at = time.monotonic() - 1
    assert cache.get("session-of-someone") is None  # Redis back, and cleared
    cache.set("fresh", 1)
    assert fallback_cache.RedisCache.get(cache, "fresh") == 1
    cache.clear()


def test_the_cache_reuses_one_redis_client_and_still_falls_back(monkeypatch):
    """One redis.Redis per pool, not one per call (building one costs more than a GET);
    the shared client still sees every write, and a dead Redis still falls back."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
    cache = fallback_cache.FallbackRedisCache(url, {"OPTIONS": REDIS_OPTIONS})
    try:
        cache.set("shared-client", "one")
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    try:
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
        assert cache.get("shared-client") == "one"
        cache.set("shared-client", "two")
        cache.add("counter", 1)
        assert cache.incr("counter") == 2
        assert cache.get_many(["shared-client", "counter"]) == {"shared-client": "two", "counter": 2}
        cache.delete("shared-client")
        assert cache.get("shared-client") is None
    finally:
        cache.delete("counter")
    dead = fallback_cache.FallbackRedisCache(DEAD_REDIS, {"OPTIONS": REDIS_OPTIONS})
    dead.set("k", "v")
    assert dead.get("k") == "v"  # from this process's memory
    assert dead._cache.get_client() is dead._cache.get_client()


# --- a database that does not answer -------------------------------------------------------------


def test_a_database_that_cannot_be_reached_gives_a_friendly_503(rf):
    request = rf.get("/")
    try:
        raise OperationalError("connection timeout expired")
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "We cannot reach our records just now" in html
    assert "988" in html
    assert 'href="/help/"' in html


def test_any_other_error_keeps_the_500_page(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_timeout_is_cancelled_as_an_error_the_503_page_catches():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 200")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
    finally:
        connection.close()
    assert time.monotonic() - started < 2


def test_postgres_settings_bound_connecting_and_statements():
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; print(o)"
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
        "DB_STATEMENT_TIMEOUT_MS": "5000",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'connect_timeout': 3" in result.stdout, result.stderr
    assert "statement_timeout=5000" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_watchdog_cuts_a_call_the_server_never_answers():
    """A frozen server enforces no statement timeout; pg_sleep stands for it here (no
    statement timeout is set on the test connection)."""
    if connection.vendor != "postgresql":
        pytest.skip("the watchdog watches psycopg connections")
    from community.core.dbwatchdog import DatabaseWatchdog

    watchdog = DatabaseWatchdog(limit_seconds=1)
    connection.ensure_connection()
    watchdog.watch(connections["default"])
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(20)")
    finally:
        watchdog.unwatch()
        connection.close()
    assert time.monotonic() - started < 5
    # A fresh connection works at once.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
