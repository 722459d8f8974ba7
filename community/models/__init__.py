from community.journal.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalShareOpen,
    JournalTreatment,
)
from community.mail.models import OutboxEmail
from community.models.accounts import User
from community.models.care import CareEntry, CareReport, Treatment
from community.models.notifications import Notification
from community.models.privacy import Block, DataExport, ModerationLogRef
from community.models.resources import Article, ArticleSource, ArticleTopic, ResourceSuggestion
from community.models.safety import CrisisLine
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
