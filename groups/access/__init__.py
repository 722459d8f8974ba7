"""Every "may this person see or do this?" question about a group, answered in one place.

Views, templates, search, feeds and emails all ask these functions. Each rule is a pair:
an object check for a detail page (``can_*``, or a ``get_*_for_*`` that raises Http404
where even the existence of a thing is private, so that a visitor cannot tell a private
post from a missing one) and the filter every list of that thing uses. The modules:

- ``groups``: seeing, reading, moderating and running a group; "groups I am active in"
  (``active_memberships``) and "groups I moderate" (``moderating_memberships``).
- ``content``: posts and replies (``visible_content_q`` in a group, ``published_content_q``
  across groups: search and the home feed).
- ``meetings``: meetings, dates and the video link (pages, files and feeds).
- ``notifications``: ``visible_notifications_q``, the list, counts, digests and emails.
- ``check_ins``: threads between a member and a group's moderators.

Site staff is a site role: ``community.accounts.roles``.

Everything is importable from ``groups.access`` itself, as callers always have.
"""

from groups.access.check_ins import (
    can_see_check_in,
    check_ins_q,
    get_check_in_for_viewer,
    why_cannot_check_in_with,
    why_cannot_write_in_check_in,
)
from groups.access.content import (
    ANONYMOUS_LABEL,
    FORMER_MEMBER_LABEL,
    author_label,
    blocked_by_viewer,
    can_see_history,
    get_post_for_author,
    get_post_for_viewer,
    get_reply_for_author,
    get_reply_for_viewer,
    is_folded,
    may_open,
    members_who_blocked,
    post_with_author,
    post_with_author_fields,
    published_content_q,
    visible_content_q,
    visible_post,
    visible_post_of,
    visible_post_query,
)
from groups.access.groups import (
    MODERATING_ROLES,
    active_group_ids,
    active_memberships,
    can_edit_group,
    can_edit_moderation_settings,
    can_manage_moderators,
    can_moderate,
    can_participate,
    can_read,
    can_see_group,
    forget_membership,
    get_group_for_moderator,
    get_group_for_owner,
    get_group_for_reader,
    get_group_for_settings,
    get_group_for_viewer,
    get_group_for_writer,
    group_moderators,
    membership_of,
    moderated_groups,
    moderates_any_group,
    moderating_memberships,
    readable_group_ids,
    reads_every_group,
    was_member,
    why_cannot_participate,
)
from groups.access.meetings import (
    can_see_video_link,
    get_meeting_for_reader,
    get_occurrence_for_reader,
    rsvps_with_link_q,
    video_link_in_file,
)
from groups.access.notifications import can_see_notification, visible_notifications_q

__all__ = [
    "ANONYMOUS_LABEL",
    "FORMER_MEMBER_LABEL",
    "MODERATING_ROLES",
    "active_group_ids",
    "active_memberships",
    "author_label",
    "blocked_by_viewer",
    "can_edit_group",
    "can_edit_moderation_settings",
    "can_manage_moderators",
    "can_moderate",
    "can_participate",
    "can_read",
    "can_see_check_in",
    "can_see_group",
    "can_see_history",
    "can_see_notification",
    "can_see_video_link",
    "check_ins_q",
    "forget_membership",
    "get_check_in_for_viewer",
    "get_group_for_moderator",
    "get_group_for_owner",
    "get_group_for_reader",
    "get_group_for_settings",
    "get_group_for_viewer",
    "get_group_for_writer",
    "get_meeting_for_reader",
    "get_occurrence_for_reader",
    "get_post_for_author",
    "get_post_for_viewer",
    "get_reply_for_author",
    "get_reply_for_viewer",
    "group_moderators",
    "is_folded",
    "may_open",
    "members_who_blocked",
    "membership_of",
    "moderated_groups",
    "moderates_any_group",
    "moderating_memberships",
    "post_with_author",
    "post_with_author_fields",
    "published_content_q",
    "readable_group_ids",
    "reads_every_group",
    "rsvps_with_link_q",
    "video_link_in_file",
    "visible_content_q",
    "visible_notifications_q",
    "visible_post",
    "visible_post_of",
    "visible_post_query",
    "was_member",
    "why_cannot_check_in_with",
    "why_cannot_participate",
    "why_cannot_write_in_check_in",
]
