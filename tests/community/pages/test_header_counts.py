"""The header's two counts (unread notifications, items waiting for moderation) come from
one query compiled once per process (community/core/prepared.py). They must be the
numbers the ORM rules give, for every kind of viewer, and fresh after every change."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from community.context_processors import _HEADER_COUNTS, header_counts
from community.core import pagecache
from community.core.prepared import STAND_IN, PreparedQuery, compiled
from community.models import Notification
from groups.access import moderates_any_group, visible_notifications_q
from groups.models import ContentStatus, Membership, Post, QueueItem
from groups.moderation.queue import queue_for


def counted_by_the_orm(user) -> tuple[int, int | None]:
    """What the header showed before it was prepared: the rules, asked one by one."""
    unread = user.notifications.filter(visible_notifications_q(user), read_at__isnull=True).count()
    if not moderates_any_group(user):
        return unread, None
    return unread, queue_for(user).count()


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle")
    people = {name: make_member(name) for name in ["Owner", "Author", "Reader", "Outsider"]}
    add_member(group, people["Owner"], role="owner")
    add_member(group, people["Author"])
    add_member(group, people["Reader"])
    return group, people


def test_counts_match_the_rules_for_members_moderators_staff_and_outsiders(
    circle, make_group, make_post, make_reply, make_member, add_member, staff
):
    group, people = circle
    other = make_group("Elsewhere")
    add_member(other, people["Author"])
    kept = make_post(group, people["Author"], title="Kept")
    removed = make_post(group, people["Author"], title="Removed")
    gone = make_post(other, people["Author"], title="From a group left")
    read = make_post(group, people["Author"], title="Already read")
    for post in (kept, removed, gone, read):
        make_reply(post, people["Reader"] if post.group == group else people["Author"])
    # Replies to their own post in a group they left: the author is told nothing there.
    Notification.objects.create(recipient=people["Author"], kind="new_post", group=other, post=gone)
    Post.objects.filter(pk=removed.pk).update(status=ContentStatus.REMOVED)
    Membership.objects.filter(user=people["Author"], group=other).update(status="left")
    Notification.objects.filter(post=read).update(read_at=read.created_at)
    # The queue: one open item for the owner, one closed, one they may not decide, one elsewhere.
    QueueItem.objects.create(group=group, kind="join_request", why="open")
    QueueItem.objects.create(group=group, kind="join_request", status="closed")
    QueueItem.objects.create(group=group, kind="join_request", not_for=people["Owner"])
    QueueItem.objects.create(group=other, kind="join_request")
    inactive_staff = make_member("Former staff", is_staff=True, is_active=False)

    for user in [*people.values(), staff, inactive_staff]:
        assert header_counts(user) == counted_by_the_orm(user), user.display_name
    assert header_counts(people["Author"]) == (1, None)  # only the reply on "Kept"
    assert header_counts(people["Owner"])[1] == 1
    assert header_counts(people["Outsider"]) == (0, None)
    assert header_counts(staff)[1] == QueueItem.objects.filter(status="open").count()


def test_counts_are_fresh_after_every_change(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"], title="My question")
    client.force_login(people["Author"])
    assert "unread</span>" not in client.get(reverse("groups:group-list")).content.decode()
    make_reply(post, people["Reader"])
    assert (
        '<span class="visually-hidden">, 1 unread</span>' in client.get(reverse("groups:group-list")).content.decode()
    )
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.REMOVED)
    assert header_counts(people["Author"]) == (0, None)
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.PUBLISHED)
    assert header_counts(people["Author"]) == (1, None)
    Notification.objects.update(read_at=post.created_at)
    assert header_counts(people["Author"]) == (0, None)

    client.force_login(people["Owner"])
    assert "waiting for moderation" not in client.get(reverse("groups:group-list")).content.decode()
    item = QueueItem.objects.create(group=group, kind="join_request")
    assert "1 waiting for moderation" in client.get(reverse("groups:group-list")).content.decode()
    QueueItem.objects.filter(pk=item.pk).update(status="closed")
    assert header_counts(people["Owner"]) == (0, 0)
    Membership.objects.filter(user=people["Owner"]).update(role="member")
    assert header_counts(people["Owner"]) == (0, None)  # no longer a moderator: no link


def test_one_prepared_query_serves_every_viewer_with_their_own_id(circle, django_assert_num_queries):
    group, people = circle
    QueueItem.objects.create(group=group, kind="join_request")
    header_counts(people["Outsider"])  # compiled (once per process) before counting
    with django_assert_num_queries(1):
        assert header_counts(people["Owner"]) == (0, 1)
    with django_assert_num_queries(1):
        assert header_counts(people["Reader"]) == (0, None)


def test_counts_are_kept_until_a_write_to_what_they_count(circle, make_post, django_assert_num_queries):
    group, people = circle
    assert header_counts(people["Owner"]) == (0, 0)
    with django_assert_num_queries(0):
        assert header_counts(people["Owner"]) == (0, 0)
    QueueItem.objects.create(group=group, kind="join_request")
    with django_assert_num_queries(1):
        assert header_counts(people["Owner"]) == (0, 1)
    make_post(group, people["Reader"], title="Not counted for the owner")  # notifies nobody here
    assert header_counts(people["Owner"]) == counted_by_the_orm(people["Owner"])


@pytest.mark.parametrize("is_staff", [False, True])
def test_every_table_the_counts_read_is_watched(is_staff):
    """A write to any table the query reads must give the counts a new generation."""
    sql, _params = _HEADER_COUNTS[is_staff]._build(STAND_IN)
    assert set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql)) <= pagecache.HEADER_TABLES


def test_a_prepared_query_refuses_a_build_that_does_not_use_the_stand_in(member):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert PreparedQuery(lambda stand_in: compiled(users.filter(pk=stand_in).values("pk"))).fetchone(member.pk) == (
        member.pk,
    )
    assert STAND_IN < 0
    with pytest.raises(ValueError, match="stand-in"):
        PreparedQuery(lambda stand_in: compiled(users.filter(pk=1).values("pk"))).fetchone(member.pk)


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_a_header_kept_for_many_pages_shows_each_member_their_own_and_signs_them_out(circle, make_post, make_reply):
    """The header is rendered once per process for each name and counts
    (community_tags.site_header); each page must still carry its reader's own name,
    counts and CSRF token."""
    group, people = circle
    make_reply(make_post(group, people["Author"], title="Mornings"), people["Reader"])  # the author has one unread
    pages = {}
    for name in ("Author", "Reader", "Author", "Owner"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(people[name])
        html = client.get(reverse("community:home")).content.decode()
        pages.setdefault(name, []).append((header_of(html), client))
    author_header = pages["Author"][0][0]
    assert people["Author"].display_name in author_header
    assert "1 unread" in author_header
    assert people["Reader"].display_name in pages["Reader"][0][0]
    assert "unread" not in pages["Reader"][0][0]
    assert "Moderation" in pages["Owner"][0][0]
    assert "Moderation" not in author_header
    for name, seen in pages.items():
        for header, client in seen:
            assert header.count("csrfmiddlewaretoken") == 2  # wide and narrow menus
            assert people[name].display_name in header
            assert "<!--csrf-->" not in header
            field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
            assert client.post(reverse("account_logout"), {"csrfmiddlewaretoken": field}).status_code == 302
            assert "_auth_user_id" not in client.session
