"""`seed_demo --scale` builds a big fictional community with bulk inserts; here at a tiny
size, to check that the rows hang together and every denormalised counter is right."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from community.demo import scale
from community.models import Notification, User
from groups.models import ContentStatus, Group, Membership, Occurrence, Post, QueueItem, Reply, Rsvp

TINY = scale.Sizes(
    members=40,
    groups=5,
    posts=80,
    replies=400,
    reactions=60,
    meetings=8,
    entries=12,
    log_entries=20,
    reports=6,
    notifications=50,
)


@pytest.fixture
def tiny_community(db):
    scale.seed_scale(TINY, progress=scale.Progress(io.StringIO()))


def test_scale_seed_makes_the_sizes_asked_for(tiny_community):
    assert User.objects.filter(email__endswith="@example.org").count() == TINY.members
    assert Group.objects.count() == TINY.groups
    assert Post.objects.count() == TINY.posts
    # Reply counts are drawn at random and scaled to the total, so the total is close, not exact.
    assert abs(Reply.objects.count() - TINY.replies) <= TINY.posts
    assert Notification.objects.count() == TINY.notifications
    long_thread = Post.objects.get(title=scale.LONG_THREAD_TITLE, group__slug=scale.BUSY_GROUP_SLUG)
    assert long_thread.replies.filter(status=ContentStatus.PUBLISHED).count() == scale.LONG_THREAD_REPLIES


def test_scale_seed_counters_match_the_rows(tiny_community):
    for group in Group.objects.annotate(active=Count("memberships", filter=Q(memberships__status="active"))):
        assert group.member_count == group.active
    for post in Post.objects.annotate(published=Count("replies", filter=Q(replies__status="published"))):
        assert post.reply_count == post.published
    for occurrence in Occurrence.objects.annotate(going=Count("rsvps", filter=Q(rsvps__status="confirmed"))):
        assert occurrence.confirmed_count == occurrence.going


def test_scale_seed_benchmark_accounts_are_a_facilitator_and_a_plain_member(tiny_community):
    busy = Group.objects.get(slug=scale.BUSY_GROUP_SLUG)
    facilitator = Membership.objects.get(user__email=scale.FACILITATOR_EMAIL, group=busy)
    assert (facilitator.role, facilitator.status) == ("owner", "active")
    member_roles = set(Membership.objects.filter(user__email=scale.MEMBER_EMAIL).values_list("role", flat=True))
    assert member_roles == {"member"}
    assert Rsvp.objects.filter(user__email=scale.MEMBER_EMAIL, status="confirmed").exists()


def test_scale_seed_every_held_item_waits_in_the_queue(tiny_community):
    held_posts = set(Post.objects.filter(status=ContentStatus.HELD).values_list("pk", flat=True))
    queued = set(QueueItem.objects.filter(kind="held_post", status="open").values_list("post_id", flat=True))
    assert held_posts == queued


def test_seed_demo_scale_refuses_a_database_that_has_scale_data(tiny_community):
    with pytest.raises(CommandError, match="already holds scale data"):
        call_command("seed_demo", scale="medium", stdout=io.StringIO())
