"""The queue, the log and a member's decisions cost a fixed number of queries."""

import pytest
from django.db import connection
from django.urls import reverse

from groups.moderation.intake import create_report
from groups.moderation.members import warn_member
from tests.conftest import SIGNED_IN_QUERIES as SIGNED_IN


@pytest.fixture
def client(warm_client):
    return warm_client


@pytest.fixture
def busy(make_group, make_member, add_member):
    group = make_group("Busy", hold_first_posts=100)
    moderator = make_member("Mod")
    add_member(group, moderator, role="moderator")
    return group, moderator


def fill(group, moderator, make_member, add_member, make_post, size):
    for n in range(size):
        author = make_member()
        add_member(group, author)
        post = make_post(group, author, title=f"Held {n}", content_warning="hard day" if n % 2 else "")
        reporter = make_member()
        add_member(group, reporter)
        create_report(reporter=reporter, group=group, post=post, reason="at_risk" if n % 3 == 0 else "spam")
        warn_member(moderator=moderator, group=group, user=author, reason="unkind", note=f"note {n}")


@pytest.fixture
def moderator_client(client, busy, make_member, add_member, make_post, size):
    """The moderator signed in, with ``size`` held posts, reports and warnings to show."""
    group, moderator = busy
    fill(group, moderator, make_member, add_member, make_post, size)
    client.force_login(moderator)
    return client


@pytest.mark.parametrize("size", [2, 12])
def test_queue_queries_do_not_grow(moderator_client, django_assert_max_num_queries, size):
    # + the groups for the filter (none: not a moderator), the paginator's count and the
    # page's ids in queue order (one query on PostgreSQL), then those items with every
    # relation they show, in one query. However many items there are.
    with django_assert_max_num_queries(SIGNED_IN + (3 if connection.vendor == "postgresql" else 4)):
        response = moderator_client.get(reverse("moderation:queue"))
    assert len(response.context["items_html"]) == min(size * 2, 25)


@pytest.mark.parametrize("size", [2, 12])
def test_log_queries_do_not_grow(moderator_client, django_assert_max_num_queries):
    # + queue count (header), "moderates something?", paginator count, the page of entries.
    with django_assert_max_num_queries(SIGNED_IN + 4):
        response = moderator_client.get(reverse("moderation:log"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_my_decisions_queries_do_not_grow(
    client,
    busy,
    make_member,
    add_member,
    django_assert_max_num_queries,
    size,
):
    group, moderator = busy
    member = make_member("Often warned")
    add_member(group, member)
    for n in range(size):
        warn_member(moderator=moderator, group=group, user=member, reason="unkind", note=f"note {n}")
    client.force_login(member)
    with django_assert_max_num_queries(SIGNED_IN + 1):
        response = client.get(reverse("moderation:my-decisions"))
    assert len(response.context["entries"]) == size
