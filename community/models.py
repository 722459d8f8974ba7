from community.accounts.models import User
from community.care.models import CareEntry, CareReport, Treatment
from community.journal.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalShareOpen,
    JournalTreatment,
)
from community.library.models import Article, ArticleSource, ArticleTopic, ResourceSuggestion
from community.mail.models import OutboxEmail
from community.notifications.models import Notification
from community.pages.models import CrisisLine
from community.privacy.models import Block, DataExport, ModerationLogRef
from community.workers.models import WorkerHeartbeat

__all__ = [
    "Article",
    "Block",
    "DataExport",
    "JournalCheckIn",
    "JournalQuestion",
    "JournalReminder",
    "JournalSession",
    "JournalShareLink",
    "JournalShareOpen",
    "JournalTreatment",
    "ModerationLogRef",
    "ArticleSource",
    "ArticleTopic",
    "CareEntry",
    "CareReport",
    "CrisisLine",
    "Notification",
    "OutboxEmail",
    "ResourceSuggestion",
    "Treatment",
    "User",
    "WorkerHeartbeat",
]
