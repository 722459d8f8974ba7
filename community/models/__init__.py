from community.models.accounts import User
from community.models.care import CareEntry, CareReport, Treatment
from community.models.notifications import Notification
from community.models.resources import Article, ArticleSource, ArticleTopic, ResourceSuggestion
from community.models.safety import CrisisLine

__all__ = [
    "Article",
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
