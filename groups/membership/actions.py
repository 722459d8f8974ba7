"""Joining, leaving and running a group's membership. Each action is one transaction."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import notify
from groups.access import can_manage_moderators, can_moderate, forget_membership
from groups.directory.models import RESERVED_SLUGS
from groups.meetings.actions import forget_member_rsvps
from groups.membership.counts import membership_status_changed
from groups.models import Group, GroupProposal, Invite, Membership, ModerationLog, QueueItem
from groups.moderation.log import log

MAX_ANSWER_CHARS = 1000


def _locked_membership(*, user, group: Group) -> Membership:
    """The user's membership row in ``group``, locked; created (as LEFT, meaning "none
    yet") when missing. Two requests at once meet at this lock, not in a duplicate."""
    try:
        with transaction.atomic():
            Membership.objects.get_or_create(group=group, user=user, defaults={"status": Membership.Status.LEFT})
    except IntegrityError:
        pass  # the other request created it first; lock that one below
    return Membership.objects.select_for_update().get(group=group, user=user)


def _activate(membership: Membership, *, now) -> None:
    membership_status_changed(group_id=membership.group_id, before=membership.status, after=Membership.Status.ACTIVE)
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = now
    membership.rules_accepted_at = membership.rules_accepted_at or now


def _clean_answers(group: Group, answers: list[str] | None) -> list[dict]:
    questions = list(group.questions.all())
    answers = answers or []
    if not questions and any(answer.strip() for answer in answers):
        raise ActionRefused("This group does not ask any questions.")
    cleaned = []
    for question, answer in zip(questions, answers + [""] * len(questions), strict=False):
        answer = answer.strip()
        if not answer:
            raise ActionRefused("Please answer each of the group's questions.")
        if len(answer) > MAX_ANSWER_CHARS:
            raise ActionRefused(f"Please keep each answer under {MAX_ANSWER_CHARS} characters.")
        cleaned.append({"question": question.text, "answer": answer})
    return cleaned


@transaction.atomic
def join_group(
    *, user, group: Group, accepted_rules: bool, answers: list[str] | None = None, invite: Invite | None = None
) -> Membership:
    """Join (open policy or a valid invite) or ask to join (request policy, or after a
    removal). Returns the membership: ACTIVE, or PENDING for a request."""
    if not accepted_rules:
        raise ActionRefused("Please read the group's rules and confirm that you accept them.")
    membership = _locked_membership(user=user, group=group)
    forget_membership(user, group)
    status = Membership.Status
    if membership.status == status.ACTIVE:
        raise ActionRefused("You are already a member of this group.")
    if membership.status == status.BANNED:
        raise ActionRefused("You cannot join this group.")
    if membership.status == status.PENDING:
        raise ActionRefused("Your request to join is already waiting for the moderators.")

    now = timezone.now()
    if invite is not None:
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        problem = invite.problem(now)
        if problem or invite.group_id != group.pk:
            raise ActionRefused(problem or "This invite link is not for this group.")
        invite.use_count = F("use_count") + 1
        invite.save(update_fields=["use_count"])
        membership.rules_accepted_at = now
        _activate(membership, now=now)
    elif group.join_policy == Group.JoinPolicy.INVITE:
        raise ActionRefused("This group is invite only. Ask one of its moderators for an invite link.")
    elif group.join_policy == Group.JoinPolicy.REQUEST or membership.status == status.REMOVED:
        membership.answers = _clean_answers(group, answers)
        membership.status = status.PENDING
        membership.requested_at = now
        membership.rules_accepted_at = now
        membership.decision_message = ""
        QueueItem.objects.create(
            group=group,
            kind=QueueItem.Kind.JOIN_REQUEST,
            membership=membership,
            why="Asked to join" if not answers else "Asked to join, with answers",
        )
    else:
        if answers and any(answer.strip() for answer in answers):
            raise ActionRefused("This group does not ask any questions.")
        membership.rules_accepted_at = now
        _activate(membership, now=now)
    membership.role = Membership.Role.MEMBER
    membership.save()
    return membership


@transaction.atomic
def leave_group(*, user, group: Group) -> Membership:
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    forget_membership(user, group)
    if membership is None or membership.status not in (Membership.Status.ACTIVE, Membership.Status.PENDING):
        raise ActionRefused("You are not a member of this group.")
    if membership.is_active and membership.role == Membership.Role.OWNER:
        other_owners = group.memberships.filter(status=Membership.Status.ACTIVE, role=Membership.Role.OWNER).exclude(
            pk=membership.pk
        )
        if not other_owners.exists():
            raise ActionRefused("You are this group's only owner. Ask site staff to hand it to someone else first.")
    membership_status_changed(group_id=group.pk, before=membership.status, after=Membership.Status.LEFT)
    membership.status = Membership.Status.LEFT
    membership.role = Membership.Role.MEMBER
    membership.follows_closely = False
    membership.save()
    forget_member_rsvps(user=user, group=group)
    return membership


@transaction.atomic
def decide_join_request(*, moderator, membership: Membership, approve: bool, message: str = "") -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("group", "user").get(pk=membership.pk)
    )
    if not can_moderate(moderator, membership.group):
        raise ActionRefused("Only this group's moderators can decide on requests to join.")
    if membership.status != Membership.Status.PENDING:
        raise ActionRefused("This request has already been handled.")
    now = timezone.now()
    membership.decision_message = message.strip()
    if approve:
        _activate(membership, now=now)
        kind = Notification.Kind.JOIN_APPROVED
    else:
        membership.status = Membership.Status.DECLINED
        kind = Notification.Kind.JOIN_DECLINED
    membership.save()
    log(
        action=ModerationLog.Action.JOIN_APPROVED if approve else ModerationLog.Action.JOIN_DECLINED,
        actor=moderator,
        group=membership.group,
        target_user=membership.user,
        note=membership.decision_message,
    )
    QueueItem.objects.filter(membership=membership, status=QueueItem.Status.OPEN).update(
        status=QueueItem.Status.DONE, handled_by=moderator, handled_at=now
    )
    notify(recipients=[membership.user], kind=kind, group=membership.group)
    return membership


@transaction.atomic
def set_follow(*, user, group: Group, follow: bool) -> Membership:
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None or not membership.is_active:
        raise ActionRefused("Only members can follow a group.")
    membership.follows_closely = follow
    membership.save(update_fields=["follows_closely", "updated_at"])
    return membership


@transaction.atomic
def set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Appoint or remove a moderator (owners and staff); make or unmake an owner (staff
    only, from the admin). A group always keeps at least one owner."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("group").get(pk=membership.pk)
    Role = Membership.Role
    if not can_manage_moderators(actor, membership.group):
        raise ActionRefused("Only the group's owners and site staff can change roles.")
    if role not in Role.values:
        raise ActionRefused("Choose member or moderator.")
    if not membership.is_active:
        raise ActionRefused("Only current members can be given a role.")
    if Role.OWNER in (membership.role, role) and not is_site_staff(actor):
        raise ActionRefused("An owner's role is changed by site staff in the admin.")
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER:
        other_owners = membership.group.memberships.filter(status=Membership.Status.ACTIVE, role=Role.OWNER)
        if not other_owners.exclude(pk=membership.pk).exists():
            raise ActionRefused("A group needs an owner: make someone else its owner first.")
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    log(
        action=ModerationLog.Action.ROLE_CHANGED,
        actor=actor,
        group=membership.group,
        target_user=membership.user,
        note=f"Now {membership.get_role_display().lower()}",
    )
    return membership


@transaction.atomic
def create_invite(*, moderator, group: Group, max_uses: int | None, valid_days: int) -> Invite:
    if not can_moderate(moderator, group):
        raise ActionRefused("Only this group's moderators can make invite links.")
    if max_uses is not None and max_uses < 1:
        raise ActionRefused("An invite must allow at least one use.")
    if not 1 <= valid_days <= 90:
        raise ActionRefused("An invite can last from 1 to 90 days.")
    return Invite.objects.create(
        group=group, created_by=moderator, max_uses=max_uses, expires_at=timezone.now() + timedelta(days=valid_days)
    )


@transaction.atomic
def revoke_invite(*, moderator, invite: Invite) -> Invite:
    invite = Invite.objects.select_for_update(of=("self",)).select_related("group").get(pk=invite.pk)
    if not can_moderate(moderator, invite.group):
        raise ActionRefused("Only this group's moderators can revoke its invite links.")
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    return invite


def propose_group(*, proposer, name: str, purpose: str, reason: str) -> GroupProposal:
    return GroupProposal.objects.create(proposer=proposer, name=name.strip(), purpose=purpose, reason=reason)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "group"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Group.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def decide_group_proposal(*, staff, proposal: GroupProposal, approve: bool, message: str = "") -> GroupProposal:
    if not is_site_staff(staff):
        raise ActionRefused("Only site staff can decide on proposed groups.")
    proposal = GroupProposal.objects.select_for_update(of=("self",)).select_related("proposer").get(pk=proposal.pk)
    if proposal.status != GroupProposal.Status.PENDING:
        raise ActionRefused("This proposal has already been decided.")
    now = timezone.now()
    proposal.decided_by = staff
    proposal.decided_at = now
    proposal.decision_message = message.strip()
    if approve:
        if Group.objects.filter(name__iexact=proposal.name).exists():
            raise ActionRefused("A group with this name already exists. Decline, or rename the proposal in the admin.")
        group = Group.objects.create(
            name=proposal.name,
            slug=_unique_slug(proposal.name),
            description=proposal.purpose[:200],
            about=proposal.purpose,
            rules=DEFAULT_GROUP_RULES,
            join_policy=Group.JoinPolicy.REQUEST,
        )
        Membership.objects.create(
            group=group,
            user=proposal.proposer,
            role=Membership.Role.OWNER,
            status=Membership.Status.ACTIVE,
            rules_accepted_at=now,
            joined_at=now,
        )
        membership_status_changed(group_id=group.pk, before=None, after=Membership.Status.ACTIVE)
        proposal.group = group
        proposal.status = GroupProposal.Status.APPROVED
    else:
        proposal.status = GroupProposal.Status.DECLINED
    proposal.save()
    return proposal


DEFAULT_GROUP_RULES = """\
1. Be kind. Everyone here is carrying something heavy.
2. Keep what is shared here, here: no screenshots, no copying posts elsewhere, no recording meetings.
3. Speak from your own experience ("I found…"), and do not tell others to change or stop a treatment.
4. You can talk about suicidal thoughts, but do not describe methods, and add a content warning.
5. No selling, fundraising or recruiting.

These add to the site's community guidelines, which always apply.
"""
