"""Check-ins (groups/checkins/): a thread between one member and the group's moderators as
a team. The member it is with, every current moderator of the group and staff read it;
nobody else learns it exists. The pair: ``can_see_check_in`` and ``check_ins_q``."""

from django.db.models import Q
from django.http import Http404

from groups.access.groups import can_moderate, membership_of
from groups.models import CheckIn, Group


def can_see_check_in(user, check_in) -> bool:
    if not user.is_authenticated:
        return False
    return check_in.member_id == user.pk or can_moderate(user, check_in.group)


def check_ins_q(user, group: Group) -> Q:
    """Which of ``group``'s check-ins the user may list: all for its moderators and staff,
    their own for a member."""
    if can_moderate(user, group):
        return Q(group=group)
    return Q(group=group, member=user.pk)


def get_check_in_for_viewer(user, group_slug: str, check_in_id: int) -> CheckIn:
    """The thread, for the member it is with (also after they left the group: it is about
    them), the group's current moderators and staff; a 404 for anyone else."""
    check_in = CheckIn.objects.filter(group__slug=group_slug, pk=check_in_id).select_related("group", "member").first()
    if check_in is None or not can_see_check_in(user, check_in):
        raise Http404("No such conversation.")
    return check_in


def why_cannot_check_in_with(moderator, group: Group, member) -> str | None:
    """Why ``moderator`` may not start a check-in with ``member`` in ``group``, or None."""
    if not can_moderate(moderator, group):
        return "Only this group's moderators can check in with its members."
    if member is None or member.pk == moderator.pk:
        return "You can check in with other members, not yourself."
    membership = membership_of(member, group)
    if membership is None or not membership.is_active or not member.is_active:
        return "You can check in only with current members of this group."
    return None


def why_cannot_write_in_check_in(user, check_in) -> str | None:
    """Moderators and staff write while they moderate the group; the member while they
    are still in it (a muted member may still answer, a removed or banned one not)."""
    if not user.is_authenticated or user.suspension_in_force():
        return "You cannot write here."
    if can_moderate(user, check_in.group):
        return None
    if check_in.member_id != user.pk:
        return "You cannot write here."
    membership = membership_of(user, check_in.group)
    if membership is None or not membership.is_active:
        return "This conversation is closed because you are no longer a member of the group. You can still read it."
    return None
