"""Small things a member or moderator met that add up: greetings, notification wording,
a moderator's view of a member, and what happens to a deleted member's held items."""

import pytest
from django.urls import reverse

from community.models import Notification
from community.notifications.actions import notification_subject
from community.privacy.actions import DeletionMode, delete_account
from groups.models import ContentStatus, QueueItem
from groups.moderation.queue import queue_for


def log_in(client, user, password="a-long-password-1"):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.django_db
def test_first_login_says_welcome_and_later_ones_welcome_back(client, member):
    log_in(client, member)
    html = client.get(reverse("community:home")).content.decode()
    assert "Welcome, River" in html
    assert "Welcome back" not in html
    client.post(reverse("account_logout"))
    log_in(client, member)
    assert "Welcome back, River" in client.get(reverse("community:home")).content.decode()


@pytest.fixture
def held_group(make_group, make_member, add_member):
    group = make_group("Held Circle", hold_first_posts=1)
    moderator, author = make_member("Mod Mo"), make_member("Newer Nell")
    add_member(group, moderator, role="moderator")
    add_member(group, author)
    return group, moderator, author


def test_a_held_reply_is_called_a_reply_in_its_notification(held_group, make_post, make_member, add_member):
    group, moderator, author = held_group
    post = make_post(group, moderator, title="Welcome thread")
    from groups.posts.actions import create_reply

    reply = create_reply(author=author, post=post, body="Hello, glad to be here.")
    assert reply.status == ContentStatus.HELD
    notification = Notification.objects.get(recipient=author, kind=Notification.Kind.HELD)
    assert notification_subject(notification) == "Your reply in Held Circle is waiting for review"


def test_a_held_post_is_still_called_a_post(held_group, make_post):
    group, _moderator, author = held_group
    make_post(group, author, title="First words")
    notification = Notification.objects.get(recipient=author, kind=Notification.Kind.HELD)
    assert notification_subject(notification) == "Your post in Held Circle is waiting for review"


def test_moderators_page_of_a_member_does_not_say_member_twice(client, held_group):
    group, moderator, author = held_group
    membership = group.memberships.get(user=author)
    client.force_login(moderator)
    html = client.get(
        reverse("groups:member-moderate", kwargs={"group_slug": group.slug, "membership_id": membership.pk})
    ).content.decode()
    assert "Member · Member" not in html
    assert '<p class="meta">Member' in html


@pytest.mark.parametrize("mode", [DeletionMode.ANONYMISE, DeletionMode.ERASE])
def test_a_deleted_members_held_items_leave_the_queue(held_group, make_post, mode):
    group, moderator, author = held_group
    post = make_post(group, author, title="First words", body="Hello everyone.")
    assert post.status == ContentStatus.HELD
    assert [item.post_id for item in queue_for(moderator)] == [post.pk]
    delete_account(user=author, mode=mode)
    assert list(queue_for(moderator)) == []
    item = QueueItem.objects.get(post=post)
    assert item.status == QueueItem.Status.DONE
    post.refresh_from_db()
    assert post.status == ContentStatus.DELETED  # never published, and not in the group
