"""The admin cannot go around the actions: state that a log entry, a count or rendered
HTML depends on is read-only there, or changed through the action."""

import pytest
from django.urls import reverse

from groups.models import ContentStatus, Group, Membership, ModerationLog, Post, Reply


@pytest.fixture
def setting(make_group, make_member, add_member, make_post, make_reply):
    group = make_group("Admin Circle")
    owner, member = make_member("Owner Ode"), make_member("Member Mo")
    add_member(group, owner, role="owner")
    membership = add_member(group, member)
    post = make_post(group, member, body="Original *words*.")
    reply = make_reply(post, owner, body="A kind reply.")
    return group, owner, membership, post, reply


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_admin_role_change_goes_through_set_role_and_is_logged(admin_client, setting):
    group, owner, membership, post, reply = setting
    response = admin_client.post(change_url(membership), {"role": "moderator", "status": "banned", "_save": "1"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "moderator"
    assert membership.status == "active"  # read-only: moved only by joining, leaving, moderation
    assert ModerationLog.objects.filter(action=ModerationLog.Action.ROLE_CHANGED, target_user=membership.user).exists()
    assert Group.objects.get(pk=group.pk).member_count == 2


def test_admin_cannot_demote_a_groups_only_owner(admin_client, setting):
    group, owner, membership, post, reply = setting
    owner_membership = Membership.objects.get(group=group, user=owner)
    admin_client.post(change_url(owner_membership), {"role": "member", "_save": "1"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"
    assert not ModerationLog.objects.filter(action=ModerationLog.Action.ROLE_CHANGED).exists()


def test_admin_cannot_add_or_delete_memberships(admin_client, setting):
    group, owner, membership, post, reply = setting
    assert admin_client.get(reverse("admin:groups_membership_add")).status_code == 403
    delete_url = reverse("admin:groups_membership_delete", args=[membership.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    # The group page lists its members but does not add, change or delete them.
    page = admin_client.get(change_url(group)).content.decode()
    assert 'name="memberships-0-status"' not in page


def test_admin_reads_posts_and_replies_but_cannot_change_them(admin_client, setting):
    group, owner, membership, post, reply = setting
    html_before = post.body_html
    assert admin_client.get(change_url(post)).status_code == 200  # read-only view
    response = admin_client.post(
        change_url(post), {"title": "Changed", "body": "New words", "status": "removed", "_save": "1"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert (post.body, post.body_html, post.status) == ("Original *words*.", html_before, ContentStatus.PUBLISHED)
    response = admin_client.post(change_url(reply), {"body": "Changed", "status": "removed", "_save": "1"})
    assert response.status_code == 403
    delete_url = reverse("admin:groups_reply_delete", args=[reply.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Reply.objects.get(pk=reply.pk).status == ContentStatus.PUBLISHED
    assert Post.objects.get(pk=post.pk).reply_count == 1
    assert admin_client.get(reverse("admin:groups_post_add")).status_code == 403


def test_admin_cannot_decide_a_proposal_or_a_suggestion(admin_client, member):
    from community.models import ResourceSuggestion
    from groups.models import GroupProposal

    proposal = GroupProposal.objects.create(proposer=member, name="Quiet Ones", purpose="Calm.", reason="Need.")
    admin_client.post(
        change_url(proposal), {"name": "Quiet Ones", "purpose": "Calm.", "reason": "Need.", "status": "approved"}
    )
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="A guide", url="https://example.org", reason="Useful."
    )
    admin_client.post(
        change_url(suggestion),
        {"title": "A guide", "url": "https://example.org", "reason": "Useful.", "status": "declined"},
    )
    suggestion.refresh_from_db()
    assert suggestion.status == ResourceSuggestion.Status.PENDING


def test_admin_shows_a_groups_logged_settings_but_cannot_change_them(admin_client, setting):
    """Name, rules, join policy, holds and slow mode change on the group's settings page,
    where each change is logged; the admin may still change what no action logs (the slug)."""
    group, owner, membership, post, reply = setting
    page = admin_client.get(change_url(group)).content.decode()
    for field in ("name", "rules", "join_policy", "is_listed", "hold_all", "slow_mode_seconds"):
        assert f'name="{field}"' not in page
    assert 'name="slug"' in page
    management = {
        f"{prefix}-{key}": value
        for prefix, total in [("questions", 0), ("watched_words", 0), ("memberships", 0)]
        for key, value in [
            ("TOTAL_FORMS", total),
            ("INITIAL_FORMS", total),
            ("MIN_NUM_FORMS", 0),
            ("MAX_NUM_FORMS", 1000),
        ]
    }
    response = admin_client.post(
        change_url(group),
        {
            **management,
            "name": "Renamed",
            "slug": "admin-circle-2",
            "description": "A place.",
            "rules": "No rules.",
            "format": "online",
            "join_policy": "invite",
            "is_listed": "",
            "hold_all": "on",
            "slow_mode_seconds": "600",
            "_save": "1",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.slug == "admin-circle-2"
    assert (group.name, group.rules, group.join_policy) == ("Admin Circle", "Be kind.\n\nNo method details.", "open")
    assert (group.is_listed, group.hold_all, group.slow_mode_seconds) == (True, False, 0)
    assert not ModerationLog.objects.filter(group=group, action=ModerationLog.Action.SETTINGS_CHANGED).exists()
