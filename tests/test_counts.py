"""The stored counts (a group's members, a post's replies) always equal a fresh count of
the rows, whichever action changed them: a drift here shows on every directory card and
post list."""

import pytest
from django.db.models import Count, Q

from community.privacy.actions import DeletionMode, delete_account
from groups.membership.actions import decide_group_proposal, decide_join_request, join_group, leave_group
from groups.membership.counts import recount_members
from groups.models import ContentStatus, Group, GroupProposal, Membership, Post, Reason
from groups.moderation.content import remove_content, restore_content
from groups.moderation.members import remove_member
from groups.posts.actions import delete_reply
from groups.posts.counts import recount_replies


def assert_counts_fresh():
    groups = Group.objects.annotate(fresh=Count("memberships", filter=Q(memberships__status="active")))
    assert [(g.name, g.member_count) for g in groups] == [(g.name, g.fresh) for g in groups]
    posts = Post.objects.annotate(fresh=Count("replies", filter=Q(replies__status=ContentStatus.PUBLISHED)))
    assert [(p.pk, p.reply_count) for p in posts] == [(p.pk, p.fresh) for p in posts]


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Counted Circle", join_policy="open")
    owner = make_member("Owner Oak")
    add_member(group, owner, role="owner")
    return group, owner


def test_member_count_follows_join_leave_remove_ban_and_erasure(circle, make_member, staff):
    group, owner = circle
    people = [make_member(f"Person {n}") for n in range(5)]
    for person in people:
        join_group(user=person, group=group, accepted_rules=True)
    assert_counts_fresh()
    leave_group(user=people[0], group=group)
    assert_counts_fresh()
    remove_member(moderator=owner, group=group, user=people[1], reason=Reason.values[0])
    remove_member(moderator=owner, group=group, user=people[2], reason=Reason.values[0], ban=True)
    assert_counts_fresh()
    # A removed member asks to come back, and is let in.
    pending = join_group(user=people[1], group=group, accepted_rules=True)
    assert pending.status == Membership.Status.PENDING
    decide_join_request(moderator=owner, membership=pending, approve=True)
    assert_counts_fresh()
    delete_account(user=people[3], mode=DeletionMode.ERASE)
    delete_account(user=people[1], mode=DeletionMode.ANONYMISE)
    assert_counts_fresh()
    group.refresh_from_db()
    assert group.member_count == 2  # the owner and Person 4


def test_a_new_group_from_a_proposal_counts_its_owner(member, staff):
    proposal = GroupProposal.objects.create(proposer=member, name="Night Owls", purpose="Late talks.", reason="Why.")
    proposal = decide_group_proposal(staff=staff, proposal=proposal, approve=True)
    assert Group.objects.get(pk=proposal.group_id).member_count == 1
    assert_counts_fresh()


def test_reply_count_follows_reply_delete_remove_and_restore(circle, make_member, add_member, make_post, make_reply):
    group, owner = circle
    writer = make_member("Writer Wren")
    add_member(group, writer)
    post = make_post(group, writer)
    replies = [make_reply(post, writer, body=f"Reply {n}.") for n in range(4)]
    assert_counts_fresh()
    delete_reply(user=writer, reply=replies[0])
    remove_content(moderator=owner, content=replies[1], reason=Reason.values[0])
    assert_counts_fresh()
    restore_content(moderator=owner, content=replies[1])
    assert_counts_fresh()
    delete_account(user=writer, mode=DeletionMode.ERASE)
    assert_counts_fresh()
    post.refresh_from_db()
    assert post.reply_count == 3


def test_recounts_repair_a_drifted_count(circle, make_member, add_member, make_post, make_reply):
    group, owner = circle
    post = make_post(group, owner)
    make_reply(post, owner)
    Group.objects.update(member_count=40)
    Post.objects.update(reply_count=40)
    recount_members(Group.objects.all())
    recount_replies(Post.objects.all())
    assert_counts_fresh()


def test_content_status_changed_counts_replies_only(circle, make_post, make_reply):
    from groups.posts.counts import content_status_changed

    group, owner = circle
    post = make_post(group, owner)
    reply = make_reply(post, owner)
    content_status_changed(post, before=ContentStatus.PUBLISHED, after=ContentStatus.REMOVED)
    content_status_changed(reply, before=ContentStatus.HELD, after=ContentStatus.REMOVED)
    assert Post.objects.get(pk=post.pk).reply_count == 1
    content_status_changed(reply, before=ContentStatus.PUBLISHED, after=ContentStatus.REMOVED)
    assert Post.objects.get(pk=post.pk).reply_count == 0
