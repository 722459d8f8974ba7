# Domain subpackages keep their own models; they are re-exported here so the app label stays "groups".
from groups.checkins.models import CheckIn, CheckInMessage
from groups.directory.models import Group, GroupProposal, JoinQuestion, Topic
from groups.meetings.models import CalendarFeed, Meeting, Occurrence, Rsvp, SeriesRsvp
from groups.membership.models import Invite, Membership
from groups.moderation.models import (
    Appeal,
    CrisisPhrase,
    ModerationLog,
    ModeratorNote,
    QueueItem,
    Reason,
    Report,
    WatchedWord,
)
from groups.posts.models import (
    ContentStatus,
    HoldReason,
    Post,
    PostListChange,
    PostRead,
    Reaction,
    Reply,
    Revision,
    ThreadChange,
)
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
    "PostListChange",
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
    "ThreadChange",
    "Topic",
    "WatchedWord",
]
