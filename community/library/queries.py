"""The reads that the resource library's pages need, with their joins applied, so each
page costs a fixed number of queries however many articles there are."""

from dataclasses import dataclass

from community.accounts.roles import is_site_staff
from community.models import Article, ArticleTopic, ResourceSuggestion


@dataclass
class TopicSection:
    slug: str
    name: str
    entries: list[tuple[int, Article]]  # (position in the reading order, article)


def library_articles(user):
    """Published articles in reading order; staff also see drafts. One query."""
    articles = Article.objects.only("title", "slug", "topic", "summary", "order", "status", "last_reviewed")
    if not is_site_staff(user):
        articles = articles.filter(status=Article.Status.PUBLISHED)
    return articles.order_by("order", "title")


def reading_sections(articles) -> list[TopicSection]:
    """Articles grouped by topic, topics in the order their first article is read, each
    article numbered by its place in the whole reading order."""
    names = dict(ArticleTopic.choices)
    sections: dict[str, TopicSection] = {}
    for number, article in enumerate(articles, start=1):
        section = sections.setdefault(article.topic, TopicSection(article.topic, names.get(article.topic, ""), []))
        section.entries.append((number, article))
    return list(sections.values())


def article_page(user, article: Article) -> dict:
    """What an article page shows besides the article: two queries."""
    related = article.related.order_by("order", "title")
    if not is_site_staff(user):
        related = related.filter(status=Article.Status.PUBLISHED)
    return {"sources": list(article.sources.all()), "related": list(related)}


def pending_suggestions():
    return ResourceSuggestion.objects.filter(status=ResourceSuggestion.Status.PENDING).select_related("suggested_by")


def decided_suggestions(limit: int = 20):
    return (
        ResourceSuggestion.objects.exclude(status=ResourceSuggestion.Status.PENDING)
        .select_related("suggested_by", "decided_by", "article")
        .order_by("-decided_at", "-pk")[:limit]
    )


def suggestions_of(member, limit: int = 20):
    return (
        ResourceSuggestion.objects.filter(suggested_by=member).select_related("article").order_by("-created_at")[:limit]
    )
