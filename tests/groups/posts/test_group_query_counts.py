"""List pages cost a fixed number of queries, whatever the number of rows.

Each test renders the page at two sizes under the same ceiling. The ceilings name their
queries; a new query per row would break the larger size at once.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Block
from groups.models import Membership, Reaction, Topic
from groups.posts.queries import REPLIES_PER_PAGE
from groups.posts.versions import KEPT_UP_TO_GROUPS
from tests.conftest import SIGNED_IN_QUERIES as SIGNED_IN


@pytest.fixture
def client(warm_client):
    return warm_client


@pytest.mark.parametrize("size", [3, 30])
def test_directory_queries_do_not_grow_with_groups(client, make_group, django_assert_max_num_queries, size):
    topic = Topic.objects.first()
    for _ in range(size):
        make_group().topics.add(topic)
    # count for the paginator, the page of groups, their topics (prefetch), the topic choices.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("groups:group-list"))
    assert response.status_code == 200


@pytest.fixture
def busy_group(make_group, make_member, add_member):
    group = make_group("Busy", slug="busy")
    reader = make_member("Reader")
    add_member(group, reader)
    return group, reader


@pytest.mark.parametrize("size", [2, 25])
def test_post_list_queries_do_not_grow_with_posts(
    client, busy_group, make_member, add_member, make_post, django_assert_max_num_queries, size
):
    group, reader = busy_group
    authors = [make_member() for _ in range(size)]
    for n, author in enumerate(authors):
        add_member(group, author)
        make_post(group, author, title=f"Post {n}", is_anonymous=n % 2 == 0 and n < size - 1)
    Block.objects.create(blocker=reader, blocked=authors[-1])  # the newest post, not anonymous: folded
    client.force_login(reader)
    url = reverse("groups:post-list", kwargs={"group_slug": group.slug})
    # The header's counts are kept, so SIGNED_IN has a query to spare here. The first
    # reader builds the page: + the group with the reader's membership, what is the
    # reader's in the group (its list's version, a post of theirs waiting for review,
    # their blocks), the lock that says no write to the list is open (in a savepoint
    # here, and its release), pinned posts, the page of posts with their authors, the
    # reader's read markers.
    with django_assert_max_num_queries(SIGNED_IN + 7):
        response = client.get(url)
    assert response.status_code == 200
    # Later readers find it kept (groups/posts/kept_lists.py): the posts are not read.
    with django_assert_max_num_queries(SIGNED_IN + 2):
        again = client.get(url)
    assert again.content.count(b"A post from a member you blocked") == 1
    # A moderator's page is built for them: pinned posts, the page with authors, blocks
    # and read markers as subqueries.
    moderator = make_member()
    add_member(group, moderator, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    with django_assert_max_num_queries(SIGNED_IN + 2):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [20, 200])
def test_post_with_many_replies_queries_do_not_grow(
    client, busy_group, make_member, add_member, make_post, make_reply, django_assert_max_num_queries, size
):
    group, reader = busy_group
    authors = [make_member() for _ in range(5)]
    for author in authors:
        add_member(group, author)
    post = make_post(group, authors[0])
    for n in range(size):
        reply = make_reply(post, authors[n % 5], body=f"Reply {n}", is_anonymous=n % 3 == 0)
        Reaction.objects.create(user=reader, reply=reply, kind="support")
    Block.objects.create(blocker=reader, blocked=authors[1])
    client.force_login(reader)
    # The header's counts are kept, so SIGNED_IN has a query to spare here. The first reader
    # of the page builds it: + the group with the reader's membership, the post with what
    # is the reader's in the thread (its version, a reply of theirs waiting for review,
    # their blocks and reactions) in one query, the lock that says no write to the thread
    # is open (in a transaction of its own: here a savepoint and its release), the replies
    # with their authors, their reaction counts, the read-marker upsert, notifications
    # marked read.
    with django_assert_max_num_queries(SIGNED_IN + 8):
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["replies"]) == min(size, REPLIES_PER_PAGE)
    # Later readers find it kept (groups/posts/kept_replies.py): no replies or counts read.
    with django_assert_max_num_queries(SIGNED_IN + 3):
        again = client.get(post.get_absolute_url())
    assert again.content.count(b"Folded away") == response.content.count(b"Folded away") > 0
    # A moderator's page is built for them each time: the replies with their authors (and
    # the moderator's blocks), the reaction counts with theirs, and no thread version.
    moderator = make_member()
    add_member(group, moderator, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    with django_assert_max_num_queries(SIGNED_IN + 5):
        assert client.get(post.get_absolute_url()).status_code == 200


ONE_PLAN_STATEMENTS = 4


@pytest.mark.parametrize("size", [2, 30])
def test_notification_list_queries_do_not_grow(
    client, busy_group, make_member, add_member, make_post, make_reply, django_assert_max_num_queries, size
):
    group, reader = busy_group
    post = make_post(group, reader)
    replier = make_member()
    add_member(group, replier)
    for _ in range(size):
        make_reply(post, replier)
    client.force_login(reader)
    # + the notifications with group/post/reply joined, in one query kept to one plan: on
    # PostgreSQL a SET LOCAL before it, and in a test's transaction a savepoint around it
    # and a SET after it (community/core/prepared.py one_plan).
    with django_assert_max_num_queries(SIGNED_IN + 1 + ONE_PLAN_STATEMENTS):
        response = client.get(reverse("community:notification-list"))
    assert response.content.decode().count('<li class="notification') == size


@pytest.mark.parametrize("size", [2, 20])
def test_my_groups_and_member_list_queries_do_not_grow(
    client, make_group, make_member, add_member, django_assert_max_num_queries, size
):
    member = make_member()
    groups = [make_group() for _ in range(size)]
    for group in groups:
        add_member(group, member)
        for _ in range(3):
            add_member(group, make_member())
    client.force_login(member)
    with django_assert_max_num_queries(SIGNED_IN + 1):
        assert client.get(reverse("groups:my-groups")).status_code == 200
    with django_assert_max_num_queries(SIGNED_IN + 3):
        response = client.get(reverse("groups:member-list", kwargs={"group_slug": groups[0].slug}))
    assert len(response.context["members"]) == 4
    assert Membership.objects.count() == size * 4


@pytest.mark.parametrize("size", [2, 20, 70])  # 70: past the compiled queries' stand-ins
def test_member_home_lists_recent_posts_in_fixed_queries(
    client, make_group, make_member, add_member, make_post, django_assert_max_num_queries, size
):
    member = make_member()
    for n in range(size):
        group = make_group()
        add_member(group, member)
        author = make_member()
        add_member(group, author)
        make_post(group, author, title=f"Fresh {n}", is_anonymous=n % 2 == 0)
    client.force_login(member)
    kept = size <= KEPT_UP_TO_GROUPS
    # + the memberships with their groups' versions, the recent posts with group and
    # author, the next meetings.
    with django_assert_max_num_queries(SIGNED_IN + 3):
        response = client.get(reverse("community:home"))
    html = response.content.decode()
    shown = [n for n in range(size) if f">Fresh {n}<" in html]
    assert shown == list(range(max(0, size - 8), size))  # the eight newest
    assert "Anonymous member" in html
    # Asked again, the list is kept (groups/posts/queries.py home_feed): + the lock that
    # says no write to the groups is open (in a transaction of its own: here a savepoint
    # and its release). Then the posts are not read again.
    with django_assert_max_num_queries(SIGNED_IN + (6 if kept else 3)):
        client.get(reverse("community:home"))
    with CaptureQueriesContext(connection) as third:
        again = client.get(reverse("community:home")).content.decode()
    assert [n for n in range(size) if f">Fresh {n}<" in again] == shown
    assert bool([query for query in third if '"groups_post"' in query["sql"]]) == (not kept)
