"""The notifications list builds its rows from the query's values; the emails build theirs
from the notification itself. Both must say the same and lead to the same place."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Notification
from community.notifications.actions import notification_subject, notification_url
from groups.models import CheckIn, Membership, ModerationLog
from tests.groups.meetings.factories import make_meeting


@pytest.fixture
def one_of_each(make_group, make_member, add_member, make_post, make_reply):
    """A member with a notification of each shape the list links: a post, a reply, a date,
    a check-in, a decision about them, and the group alone."""
    group = make_group("Harbour Circle", slug="harbour")
    member, moderator = make_member("Member"), make_member("Moderator")
    add_member(group, member)
    add_member(group, moderator, role=Membership.Role.MODERATOR)
    post = make_post(group, member, title="Mornings are the hardest")
    reply = make_reply(post, moderator)
    occurrence = make_meeting(group, moderator).occurrences.get()
    check_in = CheckIn.objects.create(group=group, member=member, started_by=moderator, last_message_at=timezone.now())
    decision = ModerationLog.objects.create(
        action=ModerationLog.Action.WARNED, actor=moderator, group=group, target_user=member
    )
    Notification.objects.filter(recipient=member).delete()
    kinds = Notification.Kind
    for kind, fields in [
        (kinds.NEW_POST, {"post": post}),
        (kinds.REPLY_TO_POST, {"post": post, "reply": reply}),
        (kinds.HELD, {"reply": reply}),
        (kinds.MEETING_CHANGED, {"occurrence": occurrence}),
        (kinds.CHECK_IN, {"check_in": check_in}),
        (kinds.MODERATION, {"decision": decision}),
        (kinds.JOIN_APPROVED, {}),
    ]:
        Notification.objects.create(recipient=member, group=group, kind=kind, **fields)
    return member


def test_each_row_says_and_links_what_its_email_does(client, one_of_each):
    client.force_login(one_of_each)
    page = html.unescape(client.get(reverse("community:notification-list")).content.decode())
    notifications = Notification.objects.filter(recipient=one_of_each).select_related("group", "reply", "occurrence")
    assert notifications.count() == 7
    for notification in notifications:
        url, subject = notification_url(notification), notification_subject(notification)
        assert f'<a href="{url}">{subject}' in page
    assert "Your reply in Harbour Circle is waiting for review" in page
    assert page.count("Mornings are the hardest") == 2  # the post's and the reply's rows
    assert page.count('<span class="tag tag-new">New</span>') == 7


def test_a_read_notification_is_no_longer_marked_new(client, one_of_each):
    Notification.objects.filter(recipient=one_of_each, kind=Notification.Kind.JOIN_APPROVED).update(
        read_at=timezone.now()
    )
    client.force_login(one_of_each)
    page = client.get(reverse("community:notification-list")).content.decode()
    assert page.count('<span class="tag tag-new">New</span>') == 6
    assert page.count('<li class="notification unread">') == 6


def test_a_row_shown_before_changes_with_what_it_shows(client, one_of_each, make_member, add_member):
    """Rows are rendered once per process for their values and the viewer's time zone
    (community/notifications/views.py): reading, a renamed post or group, another zone,
    and another member's list each show what a page built afresh would."""
    member = one_of_each
    member.time_zone = "America/Denver"
    member.save(update_fields=["time_zone"])
    client.force_login(member)
    url = reverse("community:notification-list")
    before = client.get(url).content.decode()
    assert before.count('<span class="tag tag-new">New</span>') == 7
    assert "MST" in before
    # Read from another page (as "Mark all as read" does): no row is new any more.
    client.post(reverse("community:notification-read-all"))
    assert '<span class="tag tag-new">New</span>' not in client.get(url).content.decode()
    # A renamed post and group show their new names, and no old one.
    notification = Notification.objects.filter(recipient=member, post__isnull=False).select_related("post").first()
    notification.post.title = "Evenings are kinder"
    notification.post.save(update_fields=["title"])
    notification.group.name = "Lantern Circle"
    notification.group.save(update_fields=["name"])
    renamed = html.unescape(client.get(url).content.decode())
    assert "Evenings are kinder" in renamed
    assert "Mornings are the hardest" not in renamed
    assert "Harbour Circle" not in renamed
    assert "Lantern Circle" in renamed
    # The same rows in another member's zone: their own zone's times.
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    tokyo = client.get(url).content.decode()
    assert "JST" in tokyo
    assert "MST" not in tokyo
    # Another member never sees these rows, however often they were shown.
    other = make_member("Other")
    add_member(notification.group, other)
    client.force_login(other)
    assert "Evenings are kinder" not in client.get(url).content.decode()
