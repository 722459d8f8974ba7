"""Joining, leaving, requests, invites, roles and proposals, including the unhappy paths."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from groups.membership.actions import create_invite, decide_group_proposal, decide_join_request, revoke_invite
from groups.models import Group, GroupProposal, Invite, JoinQuestion, Membership


def join_url(group):
    return reverse("groups:group-join", kwargs={"group_slug": group.slug})


@pytest.fixture
def open_group(make_group):
    return make_group("Open Circle", join_policy="open")


@pytest.fixture
def request_group(make_group):
    group = make_group("Careful Circle", join_policy="request")
    JoinQuestion.objects.create(group=group, position=0, text="What brings you here?")
    return group


def test_joining_an_open_group_records_the_rules_acceptance(member_client, member, open_group):
    response = member_client.post(join_url(open_group), {"accept_rules": "on"})
    assert response.status_code == 302
    membership = Membership.objects.get(group=open_group, user=member)
    assert membership.status == "active"
    assert membership.rules_accepted_at is not None
    open_group.refresh_from_db()
    assert open_group.member_count == 1


def test_join_page_shows_the_rules_before_joining(member_client, open_group):
    html = member_client.get(join_url(open_group)).content.decode()
    assert "No method details" in html
    assert "I have read the group" in html


def test_joining_without_accepting_rules_changes_nothing(member_client, member, open_group):
    response = member_client.post(join_url(open_group), {})
    assert response.status_code == 200
    assert "Please read the group" in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()


def test_joining_twice_says_so_and_keeps_one_membership(member_client, member, open_group):
    member_client.post(join_url(open_group), {"accept_rules": "on"})
    response = member_client.post(join_url(open_group), {"accept_rules": "on"}, follow=True)
    assert "already a member" in response.content.decode()
    assert Membership.objects.filter(user=member, group=open_group).count() == 1
    open_group.refresh_from_db()
    assert open_group.member_count == 1


def test_request_policy_keeps_answers_and_waits_for_a_moderator(member_client, member, request_group):
    response = member_client.post(join_url(request_group), {"accept_rules": "on", "answer_0": "Trying TMS soon."})
    assert response.status_code == 302
    membership = Membership.objects.get(user=member, group=request_group)
    assert membership.status == "pending"
    assert membership.answers == [{"question": "What brings you here?", "answer": "Trying TMS soon."}]
    # A pending member still cannot read the posts.
    assert member_client.get(reverse("groups:post-list", kwargs={"group_slug": request_group.slug})).status_code == 404


def test_request_without_answers_is_refused(member_client, member, request_group):
    response = member_client.post(join_url(request_group), {"accept_rules": "on"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()


def test_answers_for_a_group_without_questions_are_refused(member, make_group):
    from community.core.errors import ActionRefused
    from groups.membership.actions import join_group

    group = make_group(join_policy="request")
    with pytest.raises(ActionRefused, match="does not ask any questions"):
        join_group(user=member, group=group, accepted_rules=True, answers=["an answer"])
    assert not Membership.objects.filter(user=member).exists()


def test_moderator_approves_a_request_and_the_member_is_told(
    client, make_member, add_member, request_group, django_capture_on_commit_callbacks, mailoutbox
):
    moderator = make_member("Mod")
    add_member(request_group, moderator, role="moderator")
    asker = make_member("Asker", email_frequency="each")
    pending = add_member(request_group, asker, status="pending")
    client.force_login(moderator)
    url = reverse("groups:join-request-decide", kwargs={"group_slug": request_group.slug, "membership_id": pending.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "message": "Welcome!"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "active"
    assert Notification.objects.get(recipient=asker).kind == "join_approved"
    assert mailoutbox[0].subject.endswith("Welcome to Careful Circle")
    # Deciding again is refused and changes nothing.
    client.post(url, {"decision": "decline"})
    pending.refresh_from_db()
    assert pending.status == "active"
    assert Notification.objects.filter(recipient=asker).count() == 1


def test_forged_membership_id_from_another_group_is_a_404(client, make_member, add_member, make_group):
    mine, theirs = make_group(join_policy="request"), make_group(join_policy="request")
    moderator = make_member()
    add_member(mine, moderator, role="moderator")
    stranger_request = add_member(theirs, make_member(), status="pending")
    client.force_login(moderator)
    url = reverse("groups:join-request-decide", kwargs={"group_slug": mine.slug, "membership_id": stranger_request.pk})
    assert client.post(url, {"decision": "approve"}).status_code == 404
    stranger_request.refresh_from_db()
    assert stranger_request.status == "pending"


def test_leaving_then_leaving_again(member_client, member, open_group, add_member):
    add_member(open_group, member)
    url = reverse("groups:group-leave", kwargs={"group_slug": open_group.slug})
    assert member_client.post(url).status_code == 302
    response = member_client.post(url, follow=True)
    assert "You are not a member" in response.content.decode()
    open_group.refresh_from_db()
    assert open_group.member_count == 0
    assert Membership.objects.get(user=member).status == "left"


def test_sole_owner_cannot_leave(member_client, member, open_group, add_member):
    add_member(open_group, member, role="owner")
    response = member_client.post(reverse("groups:group-leave", kwargs={"group_slug": open_group.slug}), follow=True)
    assert "only owner" in response.content.decode()
    assert Membership.objects.get(user=member).status == "active"


def test_banned_member_cannot_rejoin(member_client, member, open_group, add_member):
    add_member(open_group, member, status="banned")
    response = member_client.post(join_url(open_group), {"accept_rules": "on"}, follow=True)
    assert "You cannot join this group" in response.content.decode()
    assert Membership.objects.get(user=member).status == "banned"


def test_removed_member_must_request_again_even_in_an_open_group(member_client, member, open_group, add_member):
    add_member(open_group, member, status="removed")
    member_client.post(join_url(open_group), {"accept_rules": "on"})
    assert Membership.objects.get(user=member).status == "pending"


def test_invite_only_group_refuses_a_plain_join(member_client, member, make_group):
    group = make_group(join_policy="invite")
    response = member_client.post(join_url(group), {"accept_rules": "on"}, follow=True)
    assert "invite only" in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()


def make_invite(group, **fields):
    return Invite.objects.create(group=group, expires_at=timezone.now() + timedelta(days=1), **fields)


def test_single_use_invite_works_once(client, make_member, make_group):
    group = make_group(join_policy="invite", is_listed=False)
    invite = make_invite(group, max_uses=1)
    url = reverse("groups:invite-accept", kwargs={"token": invite.token})
    first, second = make_member(), make_member()
    client.force_login(first)
    assert client.post(url, {"accept_rules": "on"}).status_code == 302
    assert Membership.objects.get(user=first).status == "active"
    client.force_login(second)
    response = client.get(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=second).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "has expired"),
        ({"revoked_at": timezone.now()}, "withdrawn"),
    ],
)
def test_expired_or_revoked_invite_gets_a_clear_page(client, member, make_group, fields, message):
    group = make_group(join_policy="invite", is_listed=False)
    invite = Invite.objects.create(group=group, **{"expires_at": timezone.now() + timedelta(days=1), **fields})
    client.force_login(member)
    url = reverse("groups:invite-accept", kwargs={"token": invite.token})
    response = client.get(url)
    assert response.status_code == 410
    assert message in response.content.decode()
    assert client.post(url, {"accept_rules": "on"}).status_code == 410
    assert not Membership.objects.filter(user=member).exists()


def test_unknown_invite_token_is_a_404(member_client):
    assert member_client.get(reverse("groups:invite-accept", kwargs={"token": "nope"})).status_code == 404


def test_moderator_creates_and_revokes_invites(client, make_member, add_member, make_group):
    group = make_group(join_policy="invite")
    moderator = make_member()
    add_member(group, moderator, role="moderator")
    client.force_login(moderator)
    url = reverse("groups:invite-list", kwargs={"group_slug": group.slug})
    client.post(url, {"max_uses": "", "valid_days": "14"})
    invite = Invite.objects.get(group=group)
    assert invite.max_uses is None
    assert invite.token in client.get(url).content.decode()
    client.post(reverse("groups:invite-revoke", kwargs={"group_slug": group.slug, "invite_id": invite.pk}))
    invite.refresh_from_db()
    assert invite.problem() == "This invite link has been withdrawn by the group's moderators."


@pytest.mark.parametrize("days", ["0", "91", "-3", "abc"])
def test_invite_with_bad_validity_is_refused(client, make_member, add_member, make_group, days):
    group = make_group(join_policy="invite")
    moderator = make_member()
    add_member(group, moderator, role="moderator")
    client.force_login(moderator)
    response = client.post(reverse("groups:invite-list", kwargs={"group_slug": group.slug}), {"valid_days": days})
    assert response.status_code == 200
    assert not Invite.objects.exists()


def test_owner_appoints_and_removes_a_moderator(client, make_member, add_member, open_group):
    owner, helper = make_member(), make_member("Helper")
    add_member(open_group, owner, role="owner")
    membership = add_member(open_group, helper)
    client.force_login(owner)
    url = reverse("groups:member-role", kwargs={"group_slug": open_group.slug, "membership_id": membership.pk})
    client.post(url, {"role": "moderator"})
    membership.refresh_from_db()
    assert membership.role == "moderator"
    client.post(url, {"role": "owner"})  # not a choice here
    membership.refresh_from_db()
    assert membership.role == "moderator"
    client.post(url, {"role": "member"})
    membership.refresh_from_db()
    assert membership.role == "member"


def test_member_list_shows_display_names_and_roles_never_emails(
    member_client, member, make_member, add_member, open_group
):
    add_member(open_group, member)
    other = make_member("Quiet Owl", email="owl@example.org")
    add_member(open_group, other, role="moderator")
    html = member_client.get(reverse("groups:member-list", kwargs={"group_slug": open_group.slug})).content.decode()
    assert "Quiet Owl" in html
    assert "Moderator" in html
    assert "owl@example.org" not in html


def test_member_proposes_a_group_and_staff_approval_makes_them_owner(client, member, staff):
    client.force_login(member)
    client.post(
        reverse("groups:group-propose"),
        {"name": "Night Owls", "purpose": "For people awake at 3am.", "reason": "Nights are hardest."},
    )
    proposal = GroupProposal.objects.get()
    client.force_login(staff)
    client.post(reverse("groups:proposal-decide", kwargs={"proposal_id": proposal.pk}), {"decision": "approve"})
    group = Group.objects.get(name="Night Owls")
    owner = Membership.objects.get(group=group)
    assert (owner.user, owner.role, owner.status) == (member, "owner", "active")
    assert group.member_count == 1


def test_proposal_with_a_taken_name_is_refused(member_client, make_group):
    make_group("Night Owls")
    response = member_client.post(
        reverse("groups:group-propose"), {"name": "night owls", "purpose": "x", "reason": "y"}
    )
    assert "already exists" in response.content.decode()
    assert not GroupProposal.objects.exists()


def test_directory_search_and_filters(client, make_group):
    from groups.models import Topic

    tms = Topic.objects.get(slug="tms")
    denver = make_group("TMS Denver", format="in_person", city="Denver", region="Colorado")
    denver.topics.add(tms)
    make_group("Online Evenings", description="Talk after work.")
    make_group("Hidden", is_listed=False)

    def names(**params):
        response = client.get(reverse("groups:group-list"), params)
        return [g.name for g in response.context["page"].object_list]

    assert names() == ["Online Evenings", "TMS Denver"]
    assert names(q="after work") == ["Online Evenings"]
    assert names(topic="tms") == ["TMS Denver"]
    assert names(format="in_person") == ["TMS Denver"]
    assert names(place="colorado") == ["TMS Denver"]


def test_directory_with_an_unknown_topic_says_so_and_lists_nothing_wrong(client, make_group):
    make_group("Anything")
    response = client.get(reverse("groups:group-list"), {"topic": "not-a-topic"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_directory_is_paginated(client, make_group):
    for n in range(25):
        make_group(f"Circle {n:02d}")
    first = client.get(reverse("groups:group-list"))
    assert len(first.context["page"].object_list) == 20
    second = client.get(reverse("groups:group-list"), {"page": 2})
    assert [g.name for g in second.context["page"].object_list] == [f"Circle {n}" for n in range(20, 25)]


# --- each action checks its own authority (not only its view) --------------------------------


def test_create_invite_refuses_a_member_who_does_not_moderate(member, request_group, add_member):
    plain, group = member, request_group
    add_member(group, plain)
    with pytest.raises(ActionRefused, match="moderators"):
        create_invite(moderator=plain, group=group, max_uses=None, valid_days=7)
    assert not Invite.objects.filter(group=group).exists()


def test_revoke_invite_refuses_a_member_who_does_not_moderate(member, request_group, add_member):
    plain, group = member, request_group
    add_member(group, plain)
    invite = make_invite(group)
    with pytest.raises(ActionRefused, match="moderators"):
        revoke_invite(moderator=plain, invite=invite)
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_decide_join_request_refuses_a_moderator_of_another_group(
    member, request_group, make_member, add_member, make_group
):
    plain, group = member, request_group
    add_member(group, plain)
    elsewhere = make_group("Other Circle")
    other_mod = make_member("Other Mod")
    add_member(elsewhere, other_mod, role="moderator")
    asking = make_member("Asking Ari")
    pending = add_member(group, asking, status="pending")
    for actor in (plain, other_mod):
        with pytest.raises(ActionRefused, match="moderators"):
            decide_join_request(moderator=actor, membership=pending, approve=True)
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert Group.objects.get(pk=group.pk).member_count == 1


def test_decide_group_proposal_refuses_anyone_but_site_staff(member, make_member, make_group, add_member):
    owner = make_member("Owner Ola")
    add_member(make_group("Owned Circle"), owner, role="owner")
    proposal = GroupProposal.objects.create(proposer=member, name="Quiet Hours", purpose="Calm.", reason="Need.")
    for actor in (member, owner):
        with pytest.raises(ActionRefused, match="site staff"):
            decide_group_proposal(staff=actor, proposal=proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING
    assert not Group.objects.filter(name="Quiet Hours").exists()
