"""What a member may still see in their notifications: the list, the unread count,
digests and emails not yet sent all filter by ``visible_notifications_q``, and
``can_see_notification`` (the email's last check before it goes) asks the same filter,
so the two cannot disagree."""

from django.db.models import Q

from community.accounts.roles import is_site_staff
from community.models import Notification
from groups.access.groups import active_memberships, moderating_memberships
from groups.models import ContentStatus


def visible_notifications_q(user) -> Q:
    """List filter for ``user``'s notifications: the same rule as opening the post or
    reply (``visible_content_q``), in the groups the member reads (``readable_group_ids``).

    A decision about the member stays visible to them. Anything else needs the group to
    be readable (an active member, or staff) and its post and reply to be visible: a
    removed, held (unless theirs), hidden-by-reports or deleted item disappears, and so
    does everything from a group they left or were removed from."""
    if is_site_staff(user):
        readable = Q()
        moderates = Q()
    else:
        readable = Q(group_id__in=active_memberships(user).values("group_id"))
        moderates = Q(group_id__in=moderating_memberships(user).values("group_id"))

    def shown(prefix: str) -> Q:
        status = f"{prefix}__status"
        return (
            Q(**{f"{prefix}__isnull": True})
            | Q(**{status: ContentStatus.PUBLISHED})
            | Q(**{status: ContentStatus.HELD, f"{prefix}__author": user.pk})
            | (moderates & Q(**{f"{status}__in": [ContentStatus.HELD, ContentStatus.REMOVED]}))
        )

    # A declined request is news to someone who is, by then, not a member. A check-in's
    # notices are for the member it is with and the group's current moderators.
    check_in = Q(check_in__isnull=True) | Q(check_in__member=user.pk) | moderates
    return Q(decision__isnull=False) | Q(kind="join_declined") | (readable & shown("post") & shown("reply") & check_in)


def can_see_notification(user, notification) -> bool:
    """The object check that goes with ``visible_notifications_q`` (one query). A closed or
    suspended account sees none."""
    if not user.is_active or user.suspension_in_force():
        return False
    return Notification.objects.filter(visible_notifications_q(user), pk=notification.pk, recipient=user).exists()
