"""Every "may this person see or do this?" question about a group, answered in one place.

Views, templates, search, feeds and emails all ask these functions. Where even the
existence of a thing is private, the ``get_*_for_*`` helpers raise Http404, so that a
visitor cannot tell a private post from a missing one.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from groups.models import ContentStatus, Group, Membership, Post, Reply

ANONYMOUS_LABEL = "Anonymous member"
FORMER_MEMBER_LABEL = "Former member"


def is_site_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def membership_of(user, group: Group) -> Membership | None:
    """The user's membership row in ``group`` (any status), memoised on the user object."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_group_memberships", {})
    if group.pk not in cache:
        cache[group.pk] = Membership.objects.filter(group=group, user=user).first()
    return cache[group.pk]


def forget_membership(user, group: Group) -> None:
    """Call after an action changed the membership, so later checks read it afresh."""
    user.__dict__.get("_group_memberships", {}).pop(group.pk, None)


def can_see_group(user, group: Group) -> bool:
    """The group's public page (name, about, rules): anyone for listed groups; for
    unlisted ones, only its members, people with a pending request, and staff."""
    if group.is_listed or is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.status in (Membership.Status.ACTIVE, Membership.Status.PENDING)


def can_read(user, group: Group) -> bool:
    """Posts, replies and the member list: active members (muted ones too) and staff."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_active


def can_moderate(user, group: Group) -> bool:
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_moderator


def can_manage_moderators(user, group: Group) -> bool:
    """Owners and staff appoint and remove moderators."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_active and membership.role == Membership.Role.OWNER


def why_cannot_participate(user, group: Group) -> str | None:
    """Why the user may not post, reply or react in ``group`` now, or None if they may."""
    if not user.is_authenticated or user.suspension_in_force():
        return "Only members of this group can post here."
    membership = membership_of(user, group)
    if membership is None or not membership.is_active:
        return "Only members of this group can post here."
    if membership.is_muted():
        until = timezone.localtime(membership.muted_until)
        return f"A moderator has muted you in this group until {until:%B %-d, %-I:%M %p %Z}. You can still read."
    return None


def can_participate(user, group: Group) -> bool:
    return why_cannot_participate(user, group) is None


def visible_content_q(user, group: Group, *, prefix: str = "") -> Q:
    """Which posts (or, with prefix, replies) of ``group`` the user may see listed.

    Moderators see held and removed items (marked as such); authors see their own held
    items marked "waiting for review"; everyone else sees published ones only.
    """
    status = f"{prefix}status"
    if can_moderate(user, group):
        return Q(**{f"{status}__in": [ContentStatus.PUBLISHED, ContentStatus.HELD, ContentStatus.REMOVED]})
    return Q(**{status: ContentStatus.PUBLISHED}) | Q(**{status: ContentStatus.HELD, f"{prefix}author": user.pk})


def can_see_history(user, item) -> bool:
    """Earlier versions of a post or reply (already fetched with its viewer check): its
    author sees their own; the group's moderators and staff see everyone's."""
    return (item.author_id is not None and item.author_id == user.pk) or can_moderate(user, item.group)


def author_label(item, *, viewer_moderates: bool) -> str:
    """The name shown for a post's or reply's author. Anonymous items show the real
    author to the group's moderators and staff only."""
    if item.author_id is None:
        return FORMER_MEMBER_LABEL
    if item.is_anonymous:
        if viewer_moderates:
            return f"{item.author.display_name} (posted anonymously)"
        return ANONYMOUS_LABEL
    return item.author.display_name


# --- blocking: a member folds away another's words and cannot be mentioned by them ---------


def blocked_by_viewer(user) -> Exists:
    """Annotate posts or replies with this as ``author_blocked``: True where ``user``
    blocked the author. A subquery, so list pages cost no extra query."""
    from community.models import Block

    return Exists(Block.objects.filter(blocker=user.pk, blocked=OuterRef("author")))


def is_folded(item) -> bool:
    """Whether the item is shown collapsed (like a content warning) to its viewer.
    Anonymous items are never folded: folding them would tell the viewer who wrote them."""
    return bool(getattr(item, "author_blocked", False)) and not item.is_anonymous


def members_who_blocked(author):
    """Ids of members who blocked ``author``: the author cannot mention them."""
    from community.models import Block

    return Block.objects.filter(blocked=author.pk).values("blocker")


# --- fetch-and-check: each returns the object or raises Http404 -----------------------------


def get_group_for_viewer(user, group_slug: str) -> Group:
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not can_see_group(user, group):
        raise Http404("No such group.")
    return group


def get_group_for_reader(user, group_slug: str) -> Group:
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not can_read(user, group):
        raise Http404("No such group.")
    return group


def get_group_for_writer(user, group_slug: str) -> Group:
    """The group a member sends a post or reply to: one they may read, or one they were a
    member of (removed, banned or left since the form was opened). The second kind may not
    post, but what they sent is still read for crisis words before they are told so."""
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not (can_read(user, group) or was_member(user, group)):
        raise Http404("No such group.")
    return group


def was_member(user, group: Group) -> bool:
    """Someone who was a member of ``group`` and is no longer (left, removed or banned)."""
    membership = membership_of(user, group)
    return membership is not None and membership.status in (
        Membership.Status.LEFT,
        Membership.Status.REMOVED,
        Membership.Status.BANNED,
    )


def get_group_for_moderator(user, group_slug: str) -> Group:
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not can_moderate(user, group):
        raise Http404("No such group.")
    return group


def get_post_for_viewer(user, group: Group, post_id: int) -> Post:
    """A post the user may open: published, their own held post, or anything but a
    deleted one for moderators. Call after checking ``can_read``."""
    if not can_read(user, group):
        raise Http404("No such post.")
    post = (
        Post.objects.select_related("group", "author")
        .filter(visible_content_q(user, group), group=group, pk=post_id)
        .annotate(author_blocked=blocked_by_viewer(user))
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def visible_post(user, group: Group, post_id) -> Post | None:
    """``get_post_for_viewer`` without the 404: the post, or None. Call after ``can_read``."""
    return (
        Post.objects.select_related("group", "author")
        .filter(visible_content_q(user, group), group=group, pk=post_id)
        .first()
    )


def get_reply_for_viewer(user, group: Group, reply_id: int) -> Reply:
    if not can_read(user, group):
        raise Http404("No such reply.")
    reply = (
        Reply.objects.select_related("post", "post__group", "author")
        .filter(visible_content_q(user, group), post__group=group, pk=reply_id)
        .exclude(post__status=ContentStatus.DELETED)
        .first()
    )
    if reply is None or not get_post_for_viewer(user, group, reply.post_id):
        raise Http404("No such reply.")
    return reply


def readable_group_ids(user) -> set[int] | None:
    """Every group whose content the user may read (for search, notifications and feeds).
    Staff may read all groups: None is returned to mean "no restriction"."""
    if is_site_staff(user):
        return None
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list("group_id", flat=True))


def get_post_for_author(user, group: Group, post_id: int) -> Post:
    """The user's own post, for editing or deleting; anyone else's is a 404."""
    post = get_post_for_viewer(user, group, post_id)
    if post.author_id != user.pk:
        raise Http404("No such post.")
    return post


def get_reply_for_author(user, group: Group, reply_id: int) -> Reply:
    reply = get_reply_for_viewer(user, group, reply_id)
    if reply.author_id != user.pk or reply.status == ContentStatus.DELETED:
        raise Http404("No such reply.")
    return reply


def moderated_groups(user):
    """Groups the user moderates or owns (not every group, even for staff)."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(
        memberships__user=user,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER],
    )


# --- meetings ----------------------------------------------------------------------------------


def get_meeting_for_reader(user, group: Group, meeting_id: int):
    from groups.models import Meeting

    if not can_read(user, group):
        raise Http404("No such meeting.")
    meeting = Meeting.objects.filter(group=group, pk=meeting_id).select_related("group").first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def get_occurrence_for_reader(user, group: Group, meeting_id: int, occurrence_id: int):
    from groups.models import Occurrence

    meeting = get_meeting_for_reader(user, group, meeting_id)
    occurrence = Occurrence.objects.filter(meeting=meeting, pk=occurrence_id).select_related("meeting__group").first()
    if occurrence is None:
        raise Http404("No such date.")
    return occurrence


def can_see_video_link(user, occurrence, rsvp, *, now=None) -> bool:
    """docs/safety.md rule 9: the link only for a confirmed RSVP, not for a cancelled or past
    date, and (where the organiser chose) only from some minutes before the start."""
    now = now or timezone.now()
    meeting = occurrence.meeting
    if not meeting.video_url or rsvp is None or rsvp.status != "confirmed" or rsvp.user_id != user.pk:
        return False
    if occurrence.is_cancelled or occurrence.end <= now or not can_read(user, meeting.group):
        return False
    opens = meeting.link_opens_minutes_before
    return opens is None or now >= occurrence.start - timedelta(minutes=opens)


# --- notifications: what a member may still see listed, emailed or counted ---------------------


def visible_notifications_q(user) -> Q:
    """List filter for ``user``'s notifications (the list, the unread count, digests and
    emails not yet sent all use it): the same rule as opening the post or reply.

    A decision about the member stays visible to them. Anything else needs the group to
    be readable (an active member, or staff) and its post and reply to be visible: a
    removed, held (unless theirs), hidden-by-reports or deleted item disappears, and so
    does everything from a group they left or were removed from."""
    if is_site_staff(user):
        readable = Q()
        moderates = Q()
    else:
        active = Membership.objects.filter(user=user.pk, status=Membership.Status.ACTIVE)
        readable = Q(group_id__in=active.values("group_id"))
        moderates = Q(
            group_id__in=active.filter(role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER]).values("group_id")
        )

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
    """The object check that goes with ``visible_notifications_q`` (one query)."""
    from community.models import Notification

    if not user.is_active or user.suspension_in_force():
        return False
    return Notification.objects.filter(visible_notifications_q(user), pk=notification.pk, recipient=user).exists()


def searchable_content_q(readable: set[int] | None, *, replies: bool = False) -> Q:
    """What site search may return: published posts (or published replies on published
    posts) in the groups the viewer reads. ``readable`` is ``readable_group_ids(user)``:
    None means every group (staff). Held, removed and deleted content is never searchable,
    even for its author or a moderator."""
    if replies:
        q = Q(status=ContentStatus.PUBLISHED, post__status=ContentStatus.PUBLISHED)
        return q if readable is None else q & Q(post__group_id__in=readable)
    q = Q(status=ContentStatus.PUBLISHED)
    return q if readable is None else q & Q(group_id__in=readable)


# --- running a group: settings (groups/settings/) ------------------------------------------------
#
# Owners (and staff) change everything about their group; moderators change what is about
# moderating it (holds, slow mode, the group's watched words). Everyone else gets a 404 from
# the settings pages: a member has no reason to learn which of them exist.


def can_edit_group(user, group: Group) -> bool:
    """Name, description, about, rules, join policy and questions, listing, anonymity,
    and the group's log as a file: owners and staff."""
    return can_manage_moderators(user, group)


def can_edit_moderation_settings(user, group: Group) -> bool:
    """Holds, slow mode and the group's own watched words: its moderators and staff."""
    return can_moderate(user, group)


def get_group_for_settings(user, group_slug: str) -> Group:
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not can_edit_moderation_settings(user, group):
        raise Http404("No such group.")
    return group


def get_group_for_owner(user, group_slug: str) -> Group:
    group = Group.objects.filter(slug=group_slug).first()
    if group is None or not can_edit_group(user, group):
        raise Http404("No such group.")
    return group


# --- check-ins (groups/checkins/) ----------------------------------------------------------------
#
# A check-in is between one member and the group's moderators as a team: the member it is
# with, every current moderator of the group and staff read it; nobody else learns it exists.


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


def get_check_in_for_viewer(user, group_slug: str, check_in_id: int):
    """The thread, for the member it is with (also after they left the group: it is about
    them), the group's current moderators and staff; a 404 for anyone else."""
    from groups.models import CheckIn

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
