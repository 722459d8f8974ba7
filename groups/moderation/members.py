"""Moderators' decisions on a member of their group: warn, mute, remove or ban, and the
moderators' private notes about a member.

Owners are moderated only by site staff, moderators only by the owner or staff, and
site staff not from a group at all.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused
from groups.access import membership_of
from groups.meetings.actions import forget_member_rsvps
from groups.membership.counts import membership_status_changed
from groups.models import Group, Membership, ModerationLog, ModeratorNote
from groups.moderation.checks import require_moderator, require_reason
from groups.moderation.log import Action, log, tell

MAX_MUTE = timedelta(days=90)


def _lock_target_membership(*, moderator, group: Group, user) -> Membership:
    require_moderator(moderator, group)
    if user.pk == moderator.pk:
        raise ActionRefused("You cannot do that to yourself.")
    if is_site_staff(user):
        raise ActionRefused("Site staff cannot be moderated from a group.")
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        raise ActionRefused("That person is not in this group.")
    mine = membership_of(moderator, group)
    actor_is_owner = is_site_staff(moderator) or (mine is not None and mine.role == Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and not is_site_staff(moderator):
        raise ActionRefused("A group's owner can only be moderated by site staff.")
    if membership.role == Membership.Role.MODERATOR and not actor_is_owner:
        raise ActionRefused("Only the owner or site staff can act on another moderator.")
    return membership


@transaction.atomic
def warn_member(*, moderator, group: Group, user, reason: str, note: str = "") -> ModerationLog:
    require_reason(reason)
    _lock_target_membership(moderator=moderator, group=group, user=user)
    entry = log(action=Action.WARNED, actor=moderator, group=group, target_user=user, reason=reason, note=note)
    tell(user, entry)
    return entry


@transaction.atomic
def mute_member(*, moderator, group: Group, user, minutes: int, reason: str, note: str = "") -> ModerationLog:
    require_reason(reason)
    if minutes <= 0 or timedelta(minutes=minutes) > MAX_MUTE:
        raise ActionRefused("A mute lasts from 1 minute to 90 days.")
    membership = _lock_target_membership(moderator=moderator, group=group, user=user)
    if not membership.is_active:
        raise ActionRefused("Only current members can be muted.")
    membership.muted_until = timezone.now() + timedelta(minutes=minutes)
    membership.save(update_fields=["muted_until", "updated_at"])
    entry = log(
        action=Action.MUTED,
        actor=moderator,
        group=group,
        target_user=user,
        reason=reason,
        note=note,
        until=membership.muted_until,
    )
    tell(user, entry)
    return entry


@transaction.atomic
def remove_member(*, moderator, group: Group, user, reason: str, note: str = "", ban: bool = False) -> ModerationLog:
    """Remove from the group (they may ask to come back) or ban (they may not)."""
    require_reason(reason)
    membership = _lock_target_membership(moderator=moderator, group=group, user=user)
    if membership.status == Membership.Status.BANNED:
        raise ActionRefused("This member is already banned.")
    if not membership.is_active and not ban:
        raise ActionRefused("This person is not a current member.")
    before = membership.status
    membership.status = Membership.Status.BANNED if ban else Membership.Status.REMOVED
    membership_status_changed(group_id=group.pk, before=before, after=membership.status)
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    forget_member_rsvps(user=user, group=group)
    entry = log(
        action=Action.BANNED if ban else Action.MEMBER_REMOVED,
        actor=moderator,
        group=group,
        target_user=user,
        reason=reason,
        note=note,
    )
    tell(user, entry)
    return entry


@transaction.atomic
def add_moderator_note(*, moderator, group: Group, user, text: str) -> ModeratorNote:
    require_moderator(moderator, group)
    if not text.strip():
        raise ActionRefused("Write the note first.")
    return ModeratorNote.objects.create(group=group, member=user, author=moderator, text=text.strip())
