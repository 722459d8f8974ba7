"""Factory fixtures shared by the whole suite."""

import itertools

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

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
        n = next(_counter)
        display_name = display_name or f"Member {n}"
        email = email or f"member{n}@example.org"
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
    """Rate limits live in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
