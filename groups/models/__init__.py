from groups.models.groups import Group, GroupProposal, JoinQuestion, Topic
from groups.models.meetings import CalendarFeed, Meeting, Occurrence, Rsvp, SeriesRsvp
from groups.models.membership import Invite, Membership
from groups.models.moderation import (
    Appeal,
    CrisisPhrase,
    ModerationLog,
    ModeratorNote,
    QueueItem,
    Reason,
    Report,
    WatchedWord,
)
from groups.models.posts import ContentStatus, HoldReason, Post, PostRead, Reaction, Reply, Revision

__all__ = [
    "Appeal",
    "CalendarFeed",
    "ContentStatus",
    "CrisisPhrase",
    "Group",
    "GroupProposal",
    "HoldReason",
    "Invite",
    "JoinQuestion",
    "Meeting",
    "Membership",
    "ModerationLog",
    "ModeratorNote",
    "Occurrence",
    "Post",
    "PostRead",
    "QueueItem",
    "Reaction",
    "Reason",
    "Reply",
    "Report",
    "Revision",
    "Rsvp",
    "SeriesRsvp",
    "Topic",
    "WatchedWord",
]
