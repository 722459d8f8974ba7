# Domain subpackages keep their own models; they are re-exported here so the app label stays "groups".
from groups.checkins.models import CheckIn, CheckInMessage
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
from groups.settings.models import GroupWatchedWord, RulesRevision

__all__ = [
    "Appeal",
    "CalendarFeed",
    "CheckIn",
    "CheckInMessage",
    "ContentStatus",
    "CrisisPhrase",
    "Group",
    "GroupProposal",
    "GroupWatchedWord",
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
    "RulesRevision",
    "Rsvp",
    "SeriesRsvp",
    "Topic",
    "WatchedWord",
]
