"""The starting articles, written for this project in community/library/content/articles/*.md.

Each file is TOML front matter between two ``+++`` lines, then the Markdown body.
``load_articles`` creates the articles the database does not have yet and leaves the
others alone, so staff edits made on the site are never overwritten. It is run by a
data migration (with the historical models) and may be run again at any time
(``manage.py load_articles``).
"""

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

ARTICLES_DIR = Path(__file__).resolve().parent / "content" / "articles"
REQUIRED = ("title", "slug", "topic", "summary", "order", "last_reviewed", "reviewer")


@dataclass(frozen=True)
class ArticleFile:
    title: str
    slug: str
    topic: str
    summary: str
    order: int
    last_reviewed: datetime.date
    reviewer: str
    body: str
    related: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = field(default=())


def parse_article(text: str, *, name: str = "article") -> ArticleFile:
    """Split front matter from body and check the fields; ValueError says what is wrong."""
    opening, _, rest = text.partition("+++\n")
    front, separator, body = rest.partition("\n+++\n")
    if opening.strip() or not separator:
        raise ValueError(f"{name}: the file must start with front matter between two +++ lines.")
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{name}: the front matter is not valid TOML ({error}).") from None
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise ValueError(f"{name}: missing {', '.join(missing)}.")
    if not isinstance(meta["last_reviewed"], datetime.date):
        raise ValueError(f"{name}: last_reviewed must be a date such as 2026-11-26.")
    sources = tuple((source["title"], source["url"]) for source in meta.get("sources", []))
    if not sources:
        raise ValueError(f"{name}: every article needs at least one source.")
    return ArticleFile(
        title=meta["title"],
        slug=meta["slug"],
        topic=meta["topic"],
        summary=meta["summary"],
        order=int(meta["order"]),
        last_reviewed=meta["last_reviewed"],
        reviewer=meta["reviewer"],
        body=body.strip() + "\n",
        related=tuple(meta.get("related", [])),
        sources=sources,
    )


def read_articles(directory: Path = ARTICLES_DIR) -> list[ArticleFile]:
    return [parse_article(path.read_text(encoding="utf-8"), name=path.name) for path in sorted(directory.glob("*.md"))]


@transaction.atomic
def load_articles(*, article_model=None, source_model=None, directory: Path = ARTICLES_DIR) -> int:
    """Create the missing articles as published, with sources and related links.

    Pass the models from ``apps.get_model`` when calling from a migration; the loader
    touches only fields that exist since the migration that created them. Returns how
    many articles were created.
    """
    if article_model is None or source_model is None:
        # Here, not at the top: migration 0005 imports this module and passes its own
        # historical models; only other callers use today's.
        from community.models import Article, ArticleSource

        article_model, source_model = Article, ArticleSource
    files = read_articles(directory)
    existing = set(article_model.objects.values_list("slug", flat=True))
    created = {}
    for item in files:
        if item.slug in existing:
            continue
        article = article_model.objects.create(
            title=item.title,
            slug=item.slug,
            topic=item.topic,
            summary=item.summary,
            body=item.body,
            order=item.order,
            status="published",
            last_reviewed=item.last_reviewed,
            reviewer=item.reviewer,
        )
        source_model.objects.bulk_create(
            source_model(article=article, title=title, url=url, position=position)
            for position, (title, url) in enumerate(item.sources)
        )
        created[item.slug] = (article, item.related)
    if created:
        by_slug = {article.slug: article for article in article_model.objects.all()}
        for article, related in created.values():
            article.related.set([by_slug[slug] for slug in related if slug in by_slug and slug != article.slug])
    return len(created)
