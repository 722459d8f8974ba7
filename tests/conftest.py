"""Factory fixtures shared by the whole suite."""

import itertools

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import FieldFetchBlocked
from django.db.models.fetch_modes import FetchMode

_counter = itertools.count(1)


@pytest.fixture
def make_member(db):
    """Create a member with a verified email: ``make_member(display_name="River")``."""

    def make(
        display_name: str | None = None,
        *,
        email: str | None = None,
        password: str = "a-long-password-1",
        verified: bool = True,
        **extra,
    ):
        from datetime import timedelta

        from django.utils import timezone

        n = next(_counter)
        display_name = display_name or f"Member {n}"
        email = email or f"member{n}@example.org"
        # An established account unless a test says otherwise (new accounts have limits).
        extra.setdefault("date_joined", timezone.now() - timedelta(days=30))
        user = get_user_model().objects.create_user(email=email, password=password, display_name=display_name, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make


@pytest.fixture
def member(make_member):
    return make_member("River")


@pytest.fixture
def staff(make_member):
    return make_member("Staff Sam", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; each test starts with none used, and with no page
    kept, in the cache or in the process (SQLite gives a rolled-back test's ids again)."""
    from django.core.cache import cache

    from groups.posts.versions import forget_held_pages

    cache.clear()
    forget_held_pages()
    yield
    cache.clear()
    forget_held_pages()


# --- groups ---------------------------------------------------------------------------------


@pytest.fixture
def make_group(db):
    from groups.models import Group

    def make(name: str | None = None, **fields):
        n = next(_counter)
        name = name or f"Group {n}"
        defaults = {
            "slug": fields.pop("slug", None) or f"group-{n}",
            "description": f"A place for {name}.",
            "rules": "Be kind.\n\nNo method details.",
            # Holding a new member's first post is tested on its own; elsewhere posts publish.
            "hold_first_posts": 0,
        }
        return Group.objects.create(name=name, **{**defaults, **fields})

    return make


@pytest.fixture
def add_member(db):
    """``add_member(group, user, role="member", status="active")`` with the counts kept right."""
    from django.utils import timezone

    from groups.membership.counts import membership_status_changed
    from groups.models import Membership

    def add(group, user, role="member", status="active"):
        now = timezone.now()
        membership = Membership.objects.create(
            group=group,
            user=user,
            role=role,
            status=status,
            rules_accepted_at=now,
            joined_at=now if status == "active" else None,
            requested_at=now if status == "pending" else None,
        )
        membership_status_changed(group_id=group.pk, before=None, after=status)
        return membership

    return add


@pytest.fixture
def make_post(db):
    from groups.posts.actions import create_post

    def make(group, author, title="A post", body="Some words.", **fields):
        return create_post(author=author, group=group, title=title, body=body, **fields)

    return make


@pytest.fixture
def make_reply(db):
    from groups.posts.actions import create_reply

    def make(post, author, body="A reply.", **fields):
        return create_reply(author=author, post=post, body=body, **fields)

    return make


# Signed-in page overhead in the query-count tests: session, user, and the header's two
# counts (unread notifications, items waiting for moderation) in one query, which a later
# page skips while nothing they count has changed.
SIGNED_IN_QUERIES = 3


@pytest.fixture
def warm_client(client):
    """A test client whose first request after logging in (which records the new
    session) has already happened, so query counts see only the page itself."""
    from django.urls import reverse

    original = client.force_login

    def force_login(user, backend=None):
        original(user, backend)
        client.get(reverse("community:about"))

    client.force_login = force_login
    return client


# --- query discipline -------------------------------------------------------------------------


class RaiseOnPeerFetch(FetchMode):
    """A Django 6.1 fetch mode that makes an N+1 an error.

    Lazy loading a relation (or a deferred field) of an instance that came from a query
    returning several rows is what makes a list page cost one query per row, so it raises
    ``FieldFetchBlocked``; an instance fetched on its own (``get()``, ``first()``) may still
    load a relation lazily, which costs one query however many rows there are. Django's
    own FETCH_RAISE would block those single loads too, and actions rely on them.
    """

    __slots__ = ()
    track_peers = True

    def fetch(self, fetcher, instance):
        peers = [peer for ref in instance._state.peers if (peer := ref()) is not None]
        if len(peers) > 1:
            klass = instance.__class__.__qualname__
            raise FieldFetchBlocked(
                f"Lazy load of {klass}.{fetcher.field.name} on one of {len(peers)} rows (an N+1): "
                "add select_related/prefetch_related to the query that loaded them."
            )
        fetcher.fetch_one(instance)


RAISE_ON_PEER_FETCH = RaiseOnPeerFetch()


@pytest.fixture(autouse=True)
def _no_lazy_loads_in_lists(monkeypatch):
    """Every QuerySet in the tests starts in the fetch mode above (Django has no setting
    for the default, so the module default that QuerySet.__init__ reads is patched)."""
    from django.db.models import query

    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", RAISE_ON_PEER_FETCH)


DEAD_REDIS = "redis://127.0.0.1:1/13"  # nothing listens on port 1: refused at once
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


@pytest.fixture
def redis_down(settings):
    """The production cache settings, with Redis not answering."""
    settings.CACHES = {
        "default": {
            "BACKEND": "community.core.cache.FallbackRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {**REDIS_OPTIONS, "FALLBACK": "locmem"},
        },
        "sessions": {
            "BACKEND": "community.core.cache.FallbackRedisCache",
            "LOCATION": DEAD_REDIS,
            "KEY_PREFIX": "session",
            "OPTIONS": {**REDIS_OPTIONS, "FALLBACK": "dummy"},
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    yield
    caches.close_all()


@pytest.fixture
def second_connection():
    """Opens connections of their own to the test database (PostgreSQL only): a write
    left open there while the test's own connection goes on. Closed at the end."""
    import psycopg  # noqa: PLC0415 - only where there is a second connection to make
    from django.db import connection

    opened = []

    def connect(**options):
        settings = connection.settings_dict
        other = psycopg.connect(
            dbname=settings["NAME"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            **options,
        )
        opened.append(other)
        return other

    yield connect
    for other in opened:
        other.close()


@pytest.fixture
def small_circle(make_group, make_member, add_member):
    """A group, "Circle", with its moderator Mod and two members, Ann and Ben."""
    group = make_group("Circle", slug="circle")
    people = {name: make_member(name) for name in ["Mod", "Ann", "Ben"]}
    add_member(group, people["Mod"], role="moderator")
    for name in ["Ann", "Ben"]:
        add_member(group, people[name])
    return group, people
