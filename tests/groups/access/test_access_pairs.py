"""Each access rule is a pair (groups/access/): an object check for a detail page and the
filter every list of that thing uses. For a matrix of roles and of content in every
status, these tests check that the two halves agree: a list shows exactly what the
object check lets the viewer open (or, for lists across groups, never more)."""

from datetime import time, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from community.models import Notification
from groups.access import (
    active_group_ids,
    can_moderate,
    can_read,
    can_see_check_in,
    can_see_notification,
    check_ins_q,
    get_post_for_viewer,
    get_reply_for_viewer,
    membership_of,
    moderated_groups,
    published_content_q,
    readable_group_ids,
    rsvps_with_link_q,
    video_link_in_file,
    visible_content_q,
    visible_notifications_q,
)
from groups.checkins.actions import start_check_in
from groups.models import CalendarFeed, CheckIn, ContentStatus, Group, Membership, Occurrence, Post, Reply, Rsvp
from tests.groups.meetings.factories import make_meeting

ROLES = ["non_member", "author", "member", "moderator", "owner", "staff", "left", "removed", "pending", "other_mod"]
STATUSES = [ContentStatus.PUBLISHED, ContentStatus.HELD, ContentStatus.REMOVED, ContentStatus.DELETED]


@pytest.fixture
def scene(make_member, make_group, add_member, make_post, make_reply):
    """Two groups; people in every role of the first; posts by the author and by another
    member in every status, each with replies in every status."""
    group, other = make_group("Pair Harbour"), make_group("Pair Elsewhere")
    people = {role: make_member(role.replace("_", " ").title()) for role in ROLES}
    people["staff"].is_staff = True
    people["staff"].save()
    for role, membership_role, status in [
        ("author", "member", "active"),
        ("member", "member", "active"),
        ("moderator", "moderator", "active"),
        ("owner", "owner", "active"),
        ("left", "member", "left"),
        ("removed", "moderator", "removed"),
        ("pending", "member", "pending"),
    ]:
        add_member(group, people[role], role=membership_role, status=status)
    add_member(other, people["other_mod"], role="moderator")
    add_member(other, people["author"])
    posts, replies = [], []
    for writer in ("author", "member"):
        for status in STATUSES:
            post = make_post(group, people[writer], title=f"{writer} {status}")
            for reply_status in STATUSES:
                reply = make_reply(post, people["member" if writer == "author" else "author"], body="r")
                Reply.objects.filter(pk=reply.pk).update(status=reply_status)
                replies.append(reply.pk)
            Post.objects.filter(pk=post.pk).update(status=status)
            posts.append(post.pk)
    elsewhere = make_post(other, people["other_mod"], title="elsewhere")
    return {
        "group": group,
        "other": other,
        "people": people,
        "posts": posts,
        "replies": replies,
        "elsewhere": elsewhere,
    }


def fresh(user):
    """The user as a new request would have it (no memoised memberships)."""
    return type(user).objects.get(pk=user.pk)


def opens_post(user, group, post_id) -> bool:
    try:
        get_post_for_viewer(user, group, post_id)
    except Http404:
        return False
    return True


def opens_reply(user, group, reply_id) -> bool:
    try:
        get_reply_for_viewer(user, group, reply_id)
    except Http404:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_post_list_shows_exactly_the_posts_the_detail_page_opens(scene, role):
    user, group = fresh(scene["people"][role]), scene["group"]
    opened = {pk for pk in scene["posts"] if opens_post(user, group, pk)}
    if can_read(user, group):
        listed = set(Post.objects.filter(visible_content_q(user, group), group=group).values_list("pk", flat=True))
        assert listed == opened
        assert ContentStatus.PUBLISHED in set(Post.objects.filter(pk__in=opened).values_list("status", flat=True))
    else:
        assert opened == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_thread_shows_exactly_the_replies_the_reply_pages_open(scene, role):
    """A thread lists, besides markers for deleted replies, the replies of a post the user
    may open that ``get_reply_for_viewer`` also opens."""
    user, group = fresh(scene["people"][role]), scene["group"]
    opened = {pk for pk in scene["replies"] if opens_reply(user, group, pk)}
    listed = set()
    for post_id in scene["posts"]:
        if opens_post(user, group, post_id):
            listed |= set(
                Reply.objects.filter(visible_content_q(user, group), post_id=post_id)
                .exclude(status=ContentStatus.DELETED)
                .values_list("pk", flat=True)
            )
    assert listed == opened


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_search_and_home_feed_show_nothing_the_detail_pages_refuse(scene, role):
    user = fresh(scene["people"][role])
    groups = {scene["group"].pk: scene["group"], scene["other"].pk: scene["other"]}
    for group_ids in (readable_group_ids(user), active_group_ids(user)):
        for post in Post.objects.filter(published_content_q(group_ids)):
            assert opens_post(user, groups[post.group_id], post.pk), post.title
        for reply in Reply.objects.filter(published_content_q(group_ids, replies=True)).select_related("post"):
            assert opens_reply(user, groups[reply.post.group_id], reply.pk)
    # And they show every published post of a group the member reads.
    readable = readable_group_ids(user)
    expected = set(
        Post.objects.filter(status=ContentStatus.PUBLISHED)
        .filter(group_id__in=[pk for pk, g in groups.items() if can_read(user, g)])
        .values_list("pk", flat=True)
    )
    assert set(Post.objects.filter(published_content_q(readable)).values_list("pk", flat=True)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_my_groups_and_groups_i_moderate_agree_with_the_object_checks(scene, role):
    user = fresh(scene["people"][role])
    groups = list(Group.objects.all())
    active = {g.pk for g in groups if (m := membership_of(user, g)) is not None and m.is_active}
    assert set(active_group_ids(user)) == active
    moderating = {g.pk for g in groups if (m := membership_of(user, g)) is not None and m.is_moderator}
    assert set(moderated_groups(user).values_list("pk", flat=True)) == moderating
    readable = readable_group_ids(user)
    if role == "staff":
        assert readable is None
        assert all(can_read(user, g) and can_moderate(user, g) for g in groups)
    else:
        assert readable == {g.pk for g in groups if can_read(user, g)}
        assert moderating == {g.pk for g in groups if can_moderate(user, g)}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_notification_list_holds_exactly_what_the_notification_check_allows(scene, role):
    user, group = scene["people"][role], scene["group"]
    for post_id in scene["posts"]:
        post = Post.objects.get(pk=post_id)
        Notification.objects.create(recipient=user, kind="new_post", group=group, post=post)
        for reply in post.replies.all():
            Notification.objects.create(recipient=user, kind="reply_to_post", group=group, post=post, reply=reply)
    user = fresh(user)
    mine = Notification.objects.filter(recipient=user)
    listed = set(mine.filter(visible_notifications_q(user)).values_list("pk", flat=True))
    assert listed == {n.pk for n in mine if can_see_notification(user, n)}
    # And the notification list shows only posts the member may open, and no other title.
    shown = {n.post_id for n in mine.filter(pk__in=listed)}
    assert shown == {pk for pk in scene["posts"] if opens_post(fresh(user), group, pk)}


@pytest.mark.django_db
def test_notification_list_hides_the_title_of_a_removed_post(client, scene, make_post):
    people, group = scene["people"], scene["group"]
    post = make_post(group, people["member"], title="Secret-title-41c")
    Notification.objects.filter(recipient=people["author"]).delete()
    Notification.objects.create(recipient=people["author"], kind="new_post", group=group, post=post)
    client.force_login(people["author"])
    assert "Secret-title-41c" in client.get(reverse("community:notification-list")).content.decode()
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.REMOVED)
    page = client.get(reverse("community:notification-list")).content.decode()
    assert "Secret-title-41c" not in page
    assert "New post in" not in page


@pytest.mark.django_db
def test_notification_list_hides_the_title_once_the_member_left(client, scene, make_post):
    people, group = scene["people"], scene["group"]
    post = make_post(group, people["member"], title="Secret-title-77d")
    Notification.objects.filter(recipient=people["author"]).delete()
    Notification.objects.create(recipient=people["author"], kind="new_post", group=group, post=post)
    client.force_login(people["author"])
    assert "Secret-title-77d" in client.get(reverse("community:notification-list")).content.decode()
    Membership.objects.filter(group=group, user=people["author"]).update(status=Membership.Status.LEFT)
    page = client.get(reverse("community:notification-list")).content.decode()
    assert "Secret-title-77d" not in page
    assert not can_see_notification(fresh(people["author"]), Notification.objects.get(post=post))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["author", "member", "moderator", "owner", "staff", "left", "non_member"])
def test_check_in_list_holds_exactly_the_threads_the_viewer_may_open(scene, role):
    people, group = scene["people"], scene["group"]
    for member in ("author", "member"):
        start_check_in(moderator=people["moderator"], group=group, member=people[member], body="How are you?")
    user = fresh(people[role])
    if not can_read(user, group):
        return  # the list page is a 404 for them
    listed = set(CheckIn.objects.filter(check_ins_q(user, group)).values_list("pk", flat=True))
    assert listed == {
        c.pk for c in CheckIn.objects.filter(group=group).select_related("group") if can_see_check_in(user, c)
    }


def tomorrow_at_ten(group, organiser, **fields):
    """A "Circle" at 10:00 UTC tomorrow, an hour long."""
    return make_meeting(
        group,
        organiser,
        title="Circle",
        starts_on=(timezone.now() + timedelta(days=1)).date(),
        start_time=time(10, 0),
        **fields,
    )


@pytest.mark.django_db
def test_rsvps_with_link_are_exactly_those_whose_files_carry_the_link(scene):
    people, group = scene["people"], scene["group"]
    meeting = tomorrow_at_ten(
        group, people["moderator"], video_url="https://video.example.org/pair", rrule="FREQ=WEEKLY;COUNT=4"
    )
    dates = list(Occurrence.objects.filter(meeting=meeting).order_by("start"))
    Occurrence.objects.filter(pk=dates[1].pk).update(is_cancelled=True)
    # One date already over (as if the meeting had been last week).
    Occurrence.objects.filter(pk=dates[2].pk).update(
        start=timezone.now() - timedelta(days=7), end=timezone.now() - timedelta(days=7, hours=-1)
    )
    now = timezone.now()
    for occurrence, status in zip(dates, ["confirmed", "confirmed", "confirmed", "waitlisted"], strict=True):
        Rsvp.objects.create(occurrence=occurrence, user=people["author"], status=status, requested_at=now)
    rsvps = Rsvp.objects.filter(user=people["author"]).select_related("occurrence__meeting")
    with_link = set(rsvps.filter(rsvps_with_link_q(now=now)).values_list("pk", flat=True))
    assert with_link == {r.pk for r in rsvps if video_link_in_file(r.occurrence, r, now=now)}
    assert len(with_link) == 1


@pytest.mark.django_db
def test_calendar_feed_and_series_file_drop_the_link_of_a_cancelled_date(client, scene):
    """The files follow the page's rule: a confirmed RSVP to a date that is then cancelled
    no longer brings the (series-wide) video link into the member's feed or series file."""
    people, group = scene["people"], scene["group"]
    meeting = tomorrow_at_ten(
        group, people["moderator"], video_url="https://video.example.org/room-5be1", rrule="FREQ=WEEKLY;COUNT=2"
    )
    first = Occurrence.objects.filter(meeting=meeting).order_by("start").first()
    Rsvp.objects.create(occurrence=first, user=people["author"], status="confirmed", requested_at=timezone.now())
    feed = CalendarFeed.objects.create(user=people["author"])
    feed_url = reverse("groups:calendar-feed", kwargs={"token": feed.token})
    series_url = reverse("groups:meeting-ics", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk})
    client.force_login(people["author"])
    assert "room-5be1" in client.get(feed_url).content.decode()
    assert "room-5be1" in client.get(series_url).content.decode()
    Occurrence.objects.filter(pk=first.pk).update(is_cancelled=True)
    feed_body = client.get(feed_url).content.decode()
    assert "STATUS:CANCELLED" in feed_body
    assert "room-5be1" not in feed_body
    assert "room-5be1" not in client.get(series_url).content.decode()
