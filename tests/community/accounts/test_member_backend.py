"""The signed-in member is read by a query compiled once per process
(community/accounts/backends.py): the same member, the same checks as ModelBackend."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.models import DateTimeField
from django.test import Client
from django.urls import reverse

from community.accounts import backends
from community.accounts.backends import MemberBackend

MEMBER_BACKEND = "community.accounts.backends.MemberBackend"


def fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in get_user_model()._meta.concrete_fields}


def test_the_member_read_is_the_member_the_orm_reads(member):
    loaded = MemberBackend().get_user(member.pk)
    assert loaded == member
    assert fields(loaded) == fields(ModelBackend().get_user(member.pk))
    assert loaded._state.adding is False
    loaded.display_name = "River Renamed"
    loaded.save(update_fields=["display_name"])  # a normal instance: it saves as one
    assert get_user_model().objects.get(pk=member.pk).display_name == "River Renamed"


def test_signing_in_records_the_member_backend_and_pages_know_the_member(client, make_member):
    river = make_member("River", password="a-long-password-1")
    response = client.post(reverse("account_login"), {"login": river.email, "password": "a-long-password-1"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == MEMBER_BACKEND
    page = client.get(reverse("groups:my-groups"))
    assert page.status_code == 200
    assert page.wsgi_request.user == river
    assert "River" in page.content.decode()


@pytest.mark.parametrize("change", ["inactive", "password", "deleted"])
def test_an_inactive_deleted_or_re_passworded_member_is_signed_out(client, make_member, change):
    river = make_member("River")
    client.force_login(river)
    assert client.session[BACKEND_SESSION_KEY] == MEMBER_BACKEND
    assert client.get(reverse("groups:my-groups")).status_code == 200
    if change == "inactive":
        get_user_model().objects.filter(pk=river.pk).update(is_active=False)
    elif change == "password":
        river.set_password("another-long-password-2")
        river.save()
    else:
        river.delete()
    response = client.get(reverse("groups:my-groups"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sessions_signed_in_with_modelbackend_before_still_work(member):
    client = Client()
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("groups:my-groups"))
    assert page.status_code == 200
    assert page.wsgi_request.user == member


def test_a_signed_in_page_reads_the_member_in_one_query(client, member, django_assert_num_queries):
    from tests.conftest import SIGNED_IN_QUERIES

    client.force_login(member)
    client.get(reverse("community:about"))
    # The session (cached_db: from the database when the cache is empty) and the member; the
    # header's counts were kept by the first page (community/context_processors.py).
    with django_assert_num_queries(SIGNED_IN_QUERIES - 1) as captured:
        assert client.get(reverse("community:about")).wsgi_request.user == member
    assert sum('FROM "community_user"' in query["sql"] for query in captured.captured_queries) == 1


@pytest.fixture
def fresh_raw_values_check():
    backends._raw_values_suffice.cache_clear()
    yield
    backends._raw_values_suffice.cache_clear()


def test_where_the_database_converts_values_the_member_is_read_through_the_orm(
    member, monkeypatch, fresh_raw_values_check
):
    """SQLite, the embedded default, hands dates back as naive datetimes: the raw row gave
    a member whose sign-up time could not be compared with now (posting a reply answered
    500). Wherever the backend converts a column, the member is read as ModelBackend does."""
    ops = connections["default"].ops
    plain = ops.get_db_converters

    def dates_converted(expression):
        extra = (
            [lambda value, expression, connection: value] if isinstance(expression.output_field, DateTimeField) else []
        )
        return [*plain(expression), *extra]

    def raw_read(user_id):
        raise AssertionError("the raw row was used")

    monkeypatch.setattr(ops, "get_db_converters", dates_converted)
    monkeypatch.setattr(backends._MEMBER_BY_ID, "fetchone", raw_read)
    loaded = MemberBackend().get_user(member.pk)
    assert fields(loaded) == fields(ModelBackend().get_user(member.pk))
