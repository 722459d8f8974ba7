"""Writing to the resource library: staff save articles and decide on suggestions;
members suggest resources."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from community.core.errors import ActionRefused
from community.library.models import RESERVED_ARTICLE_SLUGS
from community.models import Article, ArticleSource, ArticleTopic, ResourceSuggestion

# Enough for anyone with several good finds; a stop for a script filling the queue.
MAX_PENDING_SUGGESTIONS = 10


@transaction.atomic
def save_article(
    *,
    editor,
    article: Article | None,
    fields: dict,
    related: list[Article],
    sources: list[tuple[str, str]],
) -> Article:
    """Create (``article=None``) or update an article, replacing its sources and related links."""
    article = article or Article()
    for name, value in fields.items():
        setattr(article, name, value)
    article.updated_by = editor
    article.save()
    article.sources.all().delete()
    ArticleSource.objects.bulk_create(
        ArticleSource(article=article, title=title, url=url, position=position)
        for position, (title, url) in enumerate(sources)
    )
    article.related.set([other for other in related if other.pk != article.pk])
    return article


@transaction.atomic
def suggest_resource(*, member, title: str, url: str, reason: str) -> ResourceSuggestion:
    pending = ResourceSuggestion.objects.filter(suggested_by=member, status=ResourceSuggestion.Status.PENDING)
    if pending.count() >= MAX_PENDING_SUGGESTIONS:
        raise ActionRefused(
            "You have several suggestions waiting already. Staff will read them soon; please try again after that."
        )
    return ResourceSuggestion.objects.create(suggested_by=member, title=title, url=url, reason=reason)


def _locked_pending(suggestion: ResourceSuggestion) -> ResourceSuggestion:
    """The suggestion, locked so that two staff deciding at once cannot both win."""
    suggestion = ResourceSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != ResourceSuggestion.Status.PENDING:
        raise ActionRefused("Someone has already decided on this suggestion.")
    return suggestion


def _free_slug(title: str) -> str:
    base = slugify(title)[:70] or "suggested-resource"
    if base in RESERVED_ARTICLE_SLUGS:
        base = f"{base}-page"
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def accept_suggestion(*, staff, suggestion: ResourceSuggestion, note: str = "") -> Article:
    """Turn the suggestion into a draft page for staff to write, with its link as a source."""
    suggestion = _locked_pending(suggestion)
    article = Article.objects.create(
        title=suggestion.title,
        slug=_free_slug(suggestion.title),
        topic=ArticleTopic.COPING,
        summary=f"Draft started from a member's suggestion: {suggestion.title}"[:300],
        body=f"## Why a member suggested it\n\n{suggestion.reason}\n",
        status=Article.Status.DRAFT,
        updated_by=staff,
    )
    ArticleSource.objects.create(article=article, title=suggestion.title[:300], url=suggestion.url)
    suggestion.status = ResourceSuggestion.Status.ACCEPTED
    suggestion.article = article
    suggestion.decided_by = staff
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = note
    suggestion.save()
    return article


@transaction.atomic
def decline_suggestion(*, staff, suggestion: ResourceSuggestion, note: str = "") -> ResourceSuggestion:
    suggestion = _locked_pending(suggestion)
    suggestion.status = ResourceSuggestion.Status.DECLINED
    suggestion.decided_by = staff
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = note
    suggestion.save()
    return suggestion
