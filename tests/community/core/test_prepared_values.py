"""Queries compiled once per process that give rows as the ORM would
(community/core/prepared.py ``PreparedValues``), and the group lookup every group page
starts with, which runs on one (groups/access/groups.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from community.core.prepared import PreparedValues
from community.models import Block
from groups.access.content import blocked_by_viewer, get_post_for_viewer, visible_content_q
from groups.access.groups import _group_by_slug, membership_of
from groups.models import Group, Membership, Post

pytestmark = pytest.mark.django_db


def test_rows_come_back_typed_as_the_orm_gives_them(make_group, make_member, add_member):
    """SQLite gives dates as text and JSON as text until the ORM converts them."""
    group = make_group("Mornings")
    member = make_member("Ana")
    membership = add_member(group, member)
    muted = timezone.now() + timedelta(days=2)
    Membership.objects.filter(pk=membership.pk).update(
        answers=[{"question": "Why?", "answer": "Sleep"}], muted_until=muted
    )
    prepared = PreparedValues(
        lambda user_id, slug: Membership.objects.filter(user=user_id, group__slug=slug).values(
            "answers", "muted_until"
        ),
        texts=1,
    )
    assert prepared.fetchall(member.pk, group.slug) == list(
        Membership.objects.filter(pk=membership.pk).values("answers", "muted_until")
    )
    assert prepared.fetchall(member.pk, "no-such-group") == []


def test_a_prepared_query_refuses_a_build_that_does_not_use_every_stand_in(member):
    prepared = PreparedValues(lambda user_id, slug: Group.objects.filter(slug="fixed").values("pk"), texts=1)
    with pytest.raises(ValueError, match="stand-in"):
        prepared.fetchall(member.pk, "fixed")


@pytest.mark.parametrize("status", [*Membership.Status.values, None])
def test_the_group_lookup_gives_the_group_and_the_members_row_as_the_orm_reads_them(
    make_group, make_member, add_member, status
):
    group = make_group("Evenings")
    member = make_member("Ben")
    if status is not None:
        add_member(group, member)
        Membership.objects.filter(group=group, user=member).update(status=status, answers=["a"])
    found = _group_by_slug(member, group.slug)
    assert {name: value for name, value in found.__dict__.items() if name != "_state"} == {
        name: value for name, value in Group.objects.get(pk=group.pk).__dict__.items() if name != "_state"
    }
    expected = Membership.objects.filter(group=group, user=member).first()
    known = membership_of(member, found)  # learnt on the way: no second query
    if expected is None:
        assert known is None
    else:
        assert {n: v for n, v in known.__dict__.items() if not n.startswith("_")} == {
            n: v for n, v in expected.__dict__.items() if not n.startswith("_")
        }
        assert known.group is found


def test_a_visitor_gets_the_group_and_nobody_gets_a_group_that_is_not_there(
    make_group, make_member, django_assert_num_queries
):
    group = make_group("Afternoons")
    with django_assert_num_queries(1):
        assert _group_by_slug(AnonymousUser(), group.slug).pk == group.pk
    assert _group_by_slug(AnonymousUser(), "nowhere") is None
    member = make_member("Cy")
    assert _group_by_slug(member, "nowhere") is None
    with django_assert_num_queries(1):  # a member of no group: the group and "no membership"
        assert _group_by_slug(member, group.slug).pk == group.pk
    with django_assert_num_queries(0):
        assert membership_of(member, group) is None


@pytest.mark.parametrize("status", ["published", "held", "removed", "deleted"])
@pytest.mark.parametrize("viewer", ["author", "member who blocked the author", "moderator"])
def test_the_post_lookup_answers_as_the_orm_does(make_group, make_member, add_member, make_post, status, viewer):
    """get_post_for_viewer runs compiled once per process; the post, its author and the
    fold must be what the ORM reads under the same rule, and what the rule hides a 404."""
    group = make_group("Evenings")
    author, reader = make_member("Ana"), make_member("Ben")
    add_member(group, author)
    add_member(group, reader, role=Membership.Role.MODERATOR if viewer == "moderator" else Membership.Role.MEMBER)
    post = make_post(group, author, title="Nights")
    Post.objects.filter(pk=post.pk).update(status=status)
    user = author if viewer == "author" else reader
    if viewer == "member who blocked the author":
        Block.objects.create(blocker=reader, blocked=author)
    expected = (
        Post.objects.filter(visible_content_q(user, group), group=group, pk=post.pk)
        .select_related("author")
        .annotate(author_blocked=blocked_by_viewer(user))
        .first()
    )
    if expected is None:
        with pytest.raises(Http404):
            get_post_for_viewer(user, group, post.pk)
        return
    found = get_post_for_viewer(user, group, post.pk)
    assert fields_of(found) == fields_of(expected)
    assert fields_of(found.author) == fields_of(expected.author)
    assert found.author_blocked is expected.author_blocked is (viewer == "member who blocked the author")


def fields_of(instance) -> dict:
    return {name: value for name, value in instance.__dict__.items() if not name.startswith("_")}


@pytest.mark.parametrize("post_id", [2**63, 10**30])
def test_an_address_with_an_id_no_row_can_have_is_not_found(client, make_group, make_member, add_member, post_id):
    """The ORM answers such a lookup without asking the database; the compiled query
    would hand SQLite an integer it cannot hold (a 500, found by review)."""
    group = make_group("Evenings")
    member = make_member("Ana")
    add_member(group, member)
    client.force_login(member)
    assert client.get(f"/groups/{group.slug}/posts/{post_id}/").status_code == 404


def _fields(obj) -> dict:
    return {name: value for name, value in obj.__dict__.items() if not name.startswith("_")}


def test_the_lists_of_dates_read_on_one_compiled_query_give_what_the_orm_gives(make_group, make_member, add_member):
    """Home and my meetings list dates by a query compiled once, with the times as
    stand-ins: each row as the ORM's date, meeting and group give it, and the window
    (dates that ended, dates past its end) kept."""
    from groups.meetings.rows import DateRow
    from groups.models import Rsvp
    from groups.posts.queries import my_rsvps, my_upcoming, upcoming_dates, upcoming_occurrences
    from tests.groups.meetings.factories import make_meeting

    groups = [make_group(name) for name in ("Dawn", "Dusk")]
    member, organiser = make_member("Dee"), make_member("Org")
    for group in groups:
        add_member(group, member)
        add_member(group, organiser, role=Membership.Role.MODERATOR)
    for group in groups:
        for occurrence in make_meeting(group, organiser, weeks=6).occurrences.order_by("start")[:4]:
            Rsvp.objects.create(
                occurrence=occurrence, user=member, status=Rsvp.Status.CONFIRMED, requested_at=timezone.now()
            )
    group_ids = [group.pk for group in groups]
    now = timezone.now()
    for after, before in [(now, None), (now, now + timedelta(weeks=2)), (now + timedelta(weeks=3), None)]:
        dates = upcoming_dates(group_ids=group_ids, after=after, before=before, limit=40)
        expected = upcoming_occurrences(group_ids=group_ids, after=after, before=before, limit=40)
        assert dates == [DateRow.of(occurrence) for occurrence in expected]
        assert len(dates) == (4 if before else 12 if after == now else 6)

        going = my_upcoming(member, after=after, limit=5, group_ids=group_ids)
        rsvps = my_rsvps(member, after=after, group_ids=group_ids)[:5]
        assert going == [(DateRow.of(rsvp.occurrence), rsvp.status) for rsvp in rsvps]
        assert len(going) == (5 if after == now else 2)  # the fourth week's dates
    assert my_upcoming(member, after=now, group_ids=[]) == []
    assert upcoming_dates(group_ids=[], after=now, limit=3) == []


def test_a_time_worked_out_from_a_stand_in_is_refused(member):
    """It would be sent as it is: a query for "dates starting after yesterday" would ask
    for dates after 1901."""
    from groups.models import Occurrence

    prepared = PreparedValues(
        lambda after: Occurrence.objects.filter(end__gt=after, start__gt=after - timedelta(days=1)).values("pk"),
        ids=0,
        datetimes=1,
    )
    with pytest.raises(ValueError, match="worked out from a stand-in"):
        prepared.fetchall(timezone.now())


def test_a_naive_time_is_refused_rather_than_read_in_another_zone(member):
    from datetime import datetime

    from groups.models import Occurrence

    prepared = PreparedValues(lambda after: Occurrence.objects.filter(end__gt=after).values("pk"), ids=0, datetimes=1)
    assert prepared.fetchall(timezone.now()) == []
    with pytest.raises(ValueError, match="aware"):
        prepared.fetchall(datetime(2026, 12, 6, 12, 0))  # noqa: DTZ001 - the naive time refused


@pytest.mark.parametrize("shown", [0, 2, 70])
def test_reading_a_page_marks_read_what_the_orm_would_and_nothing_else(make_group, make_member, add_member, shown):
    """The thread page's UPDATE runs compiled once (groups/posts/read_markers.py; past 62
    replies, through the ORM): the reader's unread notices about the post and about the
    replies shown, not those about other replies, other posts or other readers."""
    from community.models import Notification
    from groups.models import Reply
    from groups.posts.actions import create_post, create_reply
    from groups.posts.read_markers import _notices_on_page, mark_read

    group = make_group("Dusk")
    reader, writer = make_member("Reader"), make_member("Writer")
    add_member(group, reader)
    add_member(group, writer)
    post = create_post(author=reader, group=group, title="Nights", body="Long nights.")
    other = create_post(author=reader, group=group, title="Days", body="Short days.")
    replies = [create_reply(author=writer, post=post, body=f"Reply {n}") for n in range(max(shown, 1) + 1)]
    create_reply(author=writer, post=other, body="Elsewhere")
    Notification.objects.create(recipient=writer, group=group, post=post, kind="new_post")  # someone else's
    Notification.objects.create(recipient=reader, group=group, post=post, kind="mention")  # the post itself
    page = replies[:shown]
    unread = Notification.objects.filter(read_at__isnull=True)
    expected = set(unread.values_list("pk", flat=True)) - set(
        _notices_on_page(reader.pk, post.pk, *[reply.pk for reply in page]).values_list("pk", flat=True)
    )
    mark_read(user=reader, post=post, replies=page, reached_end=False)
    assert set(unread.values_list("pk", flat=True)) == expected
    assert Notification.objects.filter(recipient=reader, post=other, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=reader, reply=replies[-1], read_at__isnull=True).exists()
    assert not Notification.objects.filter(recipient=reader, post=post, reply=None, read_at__isnull=True).exists()
    assert Reply.objects.filter(post=post).count() == len(replies)
