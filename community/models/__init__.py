from community.journal.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalShareOpen,
    JournalTreatment,
)
from community.models.accounts import User
from community.models.care import CareEntry, CareReport, Treatment
from community.models.emails import EmailDelivery
from community.models.notifications import Notification
from community.models.privacy import Block, DataExport, ModerationLogRef
from community.models.resources import Article, ArticleSource, ArticleTopic, ResourceSuggestion
from community.models.safety import CrisisLine

__all__ = [
    "Article",
    "Block",
    "DataExport",
    "EmailDelivery",
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
    "ResourceSuggestion",
    "Treatment",
    "User",
]
