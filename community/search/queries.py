"""Site search over resources, listed groups, and the posts and replies the viewer may read.

What a viewer may read is decided by groups/access/ alone: posts and replies are
searched only in ``readable_group_ids(user)`` (read with their versions,
``readable_group_versions``), and only when published (``published_content_q``: the one status
that ``visible_content_q`` shows to every reader), so held, removed and deleted items,
and every group the viewer is not in, stay out of the results for everyone. Authors are
never shown, so anonymous posts stay anonymous.

On PostgreSQL, everything is matched with full-text search (English stemming,
``websearch_to_tsquery``) and ranked; posts and replies through the stored, GIN-indexed
vectors of migration 0006. On SQLite each word must appear somewhere in the text
(``icontains``), newest first.
"""

import html
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db.models import Expression, Q
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from community.core import pagecache
from community.core.markdown import render_markdown
from community.core.prepared import planned_for_each_value
from community.models import Article, ArticleTopic
from community.search.textmatch import highlight, query_terms, snippet
from groups.access import published_content_q
from groups.models import Group, Post, Reply
from groups.posts.versions import KEPT_UP_TO_GROUPS, LISTS, KeptInProcess, kept_or_built, readable_group_versions

SEARCH_CONFIG = "english"
# Matches up to this many are all ranked. A common word can match most posts: then only
# the newest RANK_WINDOW matches are ranked, so a search never reads every match.
RANK_ALL_UP_TO = 1000
RANK_WINDOW = 200


class StoredSearchVector(Expression):
    """The ``search_vector`` column that migrations 0006 and 0010 add to posts, replies,
    articles and groups on PostgreSQL (kept by a trigger, GIN-indexed, weighted there).
    The models do not declare it, so it is named here, on the query's own table."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


KINDS = {"resources": "Resources", "groups": "Groups", "posts": "Posts", "replies": "Replies"}
PER_SECTION = 5
PER_PAGE = 20
MAX_PAGE = 50


@dataclass
class Hit:
    title: SafeString
    url: str
    snippet: SafeString
    context: str = ""
    when: datetime | date | None = None
    when_label: str = "Posted"
    content_warning: str = ""


@dataclass
class Section:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False


@dataclass
class Search:
    """What the text asks for, in both dialects: a tsquery for PostgreSQL, and words."""

    text: str
    terms: list[str]

    @property
    def query(self) -> SearchQuery:
        return SearchQuery(self.text, search_type="websearch", config=SEARCH_CONFIG)

    def ranked(self, queryset, fields: list[str]):
        """Posts or replies that match, best first (PostgreSQL: the stored vector).

        Two queries: the ids of up to RANK_ALL_UP_TO + 1 matches in any order (the GIN
        index finds them), then the ranked rows: of all of them, or, when there are more,
        of the newest RANK_WINDOW (read newest first, which a common word makes quick).
        """
        if not settings.IS_POSTGRES:
            return self.matching(queryset, fields, fallback_order=["-created_at", "-pk"])
        query, vector = self.query, StoredSearchVector()
        matches = queryset.alias(document=vector).filter(document=query)
        ids = list(matches.order_by().values_list("pk", flat=True)[: RANK_ALL_UP_TO + 1])
        if len(ids) > RANK_ALL_UP_TO:
            ids = matches.order_by("-pk").values("pk")[:RANK_WINDOW]
        return (
            queryset.model.objects.filter(pk__in=ids)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-created_at", "-pk")
        )

    def matching(self, queryset, fields: list[str], *, fallback_order: list[str]):
        """Articles or groups that match, best first (PostgreSQL: the stored vector)."""
        if settings.IS_POSTGRES:
            query, vector = self.query, StoredSearchVector()
            return (
                queryset.alias(document=vector)
                .filter(document=query)
                .annotate(rank=SearchRank(vector, query))
                .order_by("-rank", *fallback_order)
            )
        every_word = Q()
        for term in self.terms:
            any_field = Q()
            for name in fields:
                any_field |= Q(**{f"{name}__icontains": term})
            every_word &= any_field
        return queryset.filter(every_word).order_by(*fallback_order)


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|td|th|blockquote|pre)>|<br ?/?>")


def _html_to_text(rendered: str) -> str:
    """Sanitised HTML to plain text; block ends become spaces so words do not run together."""
    return html.unescape(strip_tags(_BLOCK_END.sub(" ", rendered)))


@lru_cache(maxsize=256)
def _article_text(body: str) -> str:
    """An article's words without Markdown, kept per body text: rendering takes a
    millisecond or two, and the same few articles come up again and again."""
    return _html_to_text(render_markdown(body))


def _marked(text: str, search: Search) -> SafeString:
    return mark_safe(highlight(text, search.terms))  # noqa: S308 - textmatch escapes every character first


def _snippet(text: str, search: Search) -> SafeString:
    return mark_safe(snippet(text, search.terms))  # noqa: S308 - textmatch escapes every character first


def _articles(search: Search, readable, limit: int, offset: int) -> list[Hit]:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    articles = search.matching(articles, ["title", "summary", "body"], fallback_order=["order", "pk"])
    topics = dict(ArticleTopic.choices)
    return [
        Hit(
            title=_marked(article.title, search),
            url=article.get_absolute_url(),
            snippet=_snippet(f"{article.summary} {_article_text(article.body)}", search),
            context=f"Resource · {topics.get(article.topic, '')}",
            when=article.last_reviewed,
            when_label="Last reviewed",
        )
        for article in articles[offset : offset + limit]
    ]


def _groups(search: Search, readable, limit: int, offset: int) -> list[Hit]:
    groups = Group.objects.filter(is_listed=True)
    groups = search.matching(groups, ["name", "description", "about"], fallback_order=["name", "pk"])
    return [
        Hit(
            title=_marked(group.name, search),
            url=group.get_absolute_url(),
            snippet=_snippet(f"{group.description} {group.about}", search),
            context=f"Group · {group.get_format_display()}" + (f" · {group.place}" if group.place else ""),
        )
        for group in groups[offset : offset + limit]
    ]


def _posts(search: Search, readable, limit: int, offset: int) -> list[Hit]:
    if readable == set():  # a visitor, or a member of no group: nothing to search
        return []
    posts = Post.objects.filter(published_content_q(readable))
    posts = search.ranked(posts, ["title", "body"])
    return [
        Hit(
            title=_marked(post.title, search),
            url=post.get_absolute_url(),
            snippet=_snippet("" if post.content_warning else _html_to_text(post.body_html), search),
            context=f"Post in {post.group.name}",
            when=post.created_at,
            content_warning=post.content_warning,
        )
        for post in posts.select_related("group")[offset : offset + limit]
    ]


def _replies(search: Search, readable, limit: int, offset: int) -> list[Hit]:
    if readable == set():
        return []
    replies = Reply.objects.filter(published_content_q(readable, replies=True))
    replies = search.ranked(replies, ["body"])
    return [
        Hit(
            title=mark_safe(f"Reply to “{_marked(reply.post.title, search)}”"),  # noqa: S308 - the title is escaped
            url=reply.get_absolute_url(),
            snippet=_snippet("" if reply.content_warning else _html_to_text(reply.body_html), search),
            context=f"Reply in {reply.post.group.name}",
            when=reply.created_at,
            content_warning=reply.content_warning,
        )
        for reply in replies.select_related("post", "post__group")[offset : offset + limit]
    ]


FINDERS = {"resources": _articles, "groups": _groups, "posts": _posts, "replies": _replies}


def search_site(*, user, text: str, kind: str = "", page: int = 1) -> list[Section]:
    """Sections of hits: up to PER_SECTION of each kind, or one page of one kind.

    One query per kind searched (plus one for the viewer's groups), however many match.
    """
    search = Search(text=text, terms=query_terms(text))
    if not search.terms:
        return []
    kinds = [kind] if kind in KINDS else list(KINDS)
    limit = PER_PAGE if kind in KINDS else PER_SECTION
    offset = (min(max(page, 1), MAX_PAGE) - 1) * limit if kind in KINDS else 0
    private_kinds = [name for name in kinds if name in PRIVATE_KINDS]
    # The groups whose posts the viewer may find (None: every group), with their versions,
    # the key of what is kept of a member's hits.
    groups = readable_group_versions(user) if private_kinds else ()
    readable = None if groups is None else {group[0] for group in groups}
    with planned_for_each_value():
        found = _public_hits([name for name in kinds if name in PUBLIC_KINDS], search, limit + 1, offset)
        found |= _private_hits(private_kinds, search, readable, groups, limit + 1, offset)
    return [
        Section(kind=name, label=KINDS[name], hits=found[name][:limit], has_more=len(found[name]) > limit)
        for name in kinds
    ]


# What every viewer finds alike: the resources and the listed groups.
PUBLIC_KINDS = {"resources", "groups"}
# Hits are kept as Hit objects: a release that changes their fields never reads what an
# earlier one kept.
_HIT_SHAPE = pagecache.shape_of([(hit_field.name, str(hit_field.type)) for hit_field in fields(Hit)])


def _public_hits(kinds: list[str], search: Search, limit: int, offset: int) -> dict[str, list[Hit]]:
    """The hits of the public kinds asked for. They are the same for every viewer: they
    are kept until a write to what visitors' pages read (the PUBLIC generation,
    community/core/pagecache.py), as a visitor's whole page is, and, as it is, only once
    the same words were asked for twice, so that made-up words cannot fill the cache.
    Every kind's kept hits are read in one round trip."""
    keys = {
        name: f"search-hits:{_HIT_SHAPE}:{name}:{pagecache.digest_of(search.text, limit, offset)}" for name in kinds
    }
    generation, kept = pagecache.read_kept_many(pagecache.PUBLIC, list(keys.values()))
    hits = {}
    for name, key in keys.items():
        hits[name] = kept[key]
        if hits[name] is None:
            hits[name] = FINDERS[name](search, set(), limit, offset)
            if pagecache.asked_before(key, pagecache.VISITOR_PAGE_SECONDS):
                pagecache.keep(key, generation, hits[name], pagecache.VISITOR_PAGE_SECONDS)
    return hits


# What only members find: the posts and replies of their own groups.
PRIVATE_KINDS = {"posts", "replies"}


def _private_hits(
    kinds: list[str], search: Search, readable, groups: tuple, limit: int, offset: int
) -> dict[str, list[Hit]]:
    """The hits of the private kinds asked for, in ``readable`` (None for staff: every
    group). A member's are kept, once the same words were asked for twice, under the id,
    address, name and list version of each group they read (``groups``, from
    ``readable_group_versions``): every write to a post or reply of one of those groups, and
    a rename, moves that key, and joining or leaving a group changes the set, so a kept
    result never shows what a search now would not, nor leaves out what it would find.
    Built for each search: for staff, while the cache is not shared by every process, and
    while a write to one of the groups is still open (groups/posts/versions.py)."""

    def build():
        return {name: FINDERS[name](search, readable, limit, offset) for name in kinds}

    if not kinds or not readable or len(readable) > KEPT_UP_TO_GROUPS or not pagecache.may_keep():
        return build()  # readable is None for staff, empty for a member of no group
    key = f"search-hits:{_HIT_SHAPE}:private:{pagecache.digest_of(search.text, kinds, limit, offset, groups)}"
    return kept_or_built(
        LISTS,
        [group[0] for group in groups],
        key,
        build,
        # Asked before, or built without taking any group's lock (a writer would wait).
        worth_keeping=lambda: pagecache.asked_before(key, pagecache.VISITOR_PAGE_SECONDS),
        in_process=HELD_HITS,
    )


# The hits searched for most are held in each process as well (versions.KeptInProcess):
# nothing downstream changes them (a section takes a slice of its list).
HELD_HITS = KeptInProcess(64)
