"""A page of a group's list of posts as most of its readers see it, kept between requests.

As ``kept_replies`` does for a thread: every reader who does not moderate the group and
has no post of their own waiting for review in it sees the same published posts, titles,
names, reply counts and times. What is personal is whether each post is new to them
(their read markers) and whether they blocked its author (the title folded away). So a
page is kept as each row's HTML twice, new and not new, with the rows it was rendered
from; a request takes each row's as its reader's markers say, and renders afresh only the
rows whose author the reader blocked.

A page is kept under the group's list version (``groups/posts/versions.py``), which the
database's triggers change on every write to the group's posts and to their authors' display names,
and under the group's address, the reader's time zone and the page's place in the list. A
later page is kept only when its cursor is where a post of the list is now: a cursor made
up by hand is built for its request and never kept.

Built for the request, never kept: for the group's moderators (they see held and removed
posts and who wrote anonymous ones), for a reader with a post waiting for review in the
group, and while the cache is not shared by every process (``pagecache.may_keep``).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name

from community.core import pagecache
from community.core.prepared import PreparedQuery, compiled, for_each_length
from groups.access import author_label, can_moderate, is_folded
from groups.models import ContentStatus, Group, Post, PostRead
from groups.posts import queries
from groups.posts.versions import LISTS, KeptInProcess, blocked_by, ids_in, kept_or_built, list_version, shape

TEMPLATE = "groups/posts/_post_row.html"


@dataclass(slots=True)
class PostRow:
    """What the post list shows of one post, kept with its page."""

    pk: int
    title: str
    author_id: int | None  # None for anonymous posts: the list folds none of them
    is_anonymous: bool
    shown_author: str
    is_pinned: bool
    is_locked: bool
    status: str
    content_warning: str
    reply_count: int
    last_activity_at: datetime
    # A reader's own, set on a copy of the kept row (kept rows are shared).
    is_unread: bool = False
    author_blocked: bool = False
    folded: bool = False

    @classmethod
    def of(cls, post: Post) -> "PostRow":
        return cls(
            pk=post.pk,
            title=post.title,
            author_id=None if post.is_anonymous else post.author_id,
            is_anonymous=post.is_anonymous,
            shown_author=author_label(post, viewer_moderates=False),
            is_pinned=post.is_pinned,
            is_locked=post.is_locked,
            status=post.status,
            content_warning=post.content_warning,
            reply_count=post.reply_count,
            last_activity_at=post.last_activity_at,
        )


@dataclass
class KeptList:
    pinned: list[PostRow]
    posts: list[PostRow]
    next_cursor: str
    html: dict  # post id -> (its row as not new, its row as new)


def post_list_shown(request, group: Group, cursor: str):
    """The page of ``group``'s posts at ``cursor`` and its rows' HTML, as ``request.user``
    sees them. Returns (pinned, posts, next_cursor, html)."""
    user = request.user
    if not can_moderate(user, group) and pagecache.may_keep():
        reader = _reader_in(group, user)
        if not reader.waiting_for_review:
            kept = _kept_list(group, reader.version, cursor)
            return kept.pinned, kept.posts, kept.next_cursor, _for_reader(kept, reader, user, group)
    pinned, posts, next_cursor = queries.post_list_page(user=user, group=group, cursor=cursor)
    return pinned, posts, next_cursor, mark_safe("".join(_render(post, group) for post in pinned + posts))  # noqa: S308 - Jinja2 escaped it


class Reader(NamedTuple):
    version: int  # the group's list's (0 before its first change)
    waiting_for_review: bool  # a post of theirs in the group is
    blocked: set  # ids of the members they blocked


def _reader_in(group: Group, user) -> Reader:
    row = _READER_IN_GROUP.fetchone(group.pk, user.pk)
    if row is None:  # deleted since the reader's access was checked
        raise Http404("No such group.")
    version, waiting, blocked = row
    return Reader(version, waiting, ids_in(blocked))


def _reader_in_group_sql(group_id: int, user_id: int) -> tuple[str, list]:
    """One row: the group's list version, whether the user has a post waiting for review
    in it, and the ids of the members they blocked, joined with commas."""
    waiting = Post.objects.filter(group=OuterRef("pk"), author=user_id, status=ContentStatus.HELD)
    row = Group.objects.filter(pk=group_id).values_list(list_version(), Exists(waiting), Subquery(blocked_by(user_id)))
    return compiled(row)


_READER_IN_GROUP = PreparedQuery(_reader_in_group_sql, ids=2)


def _kept_list(group: Group, version: int, cursor: str) -> KeptList:
    position = queries.decode_cursor(cursor)
    place = f"{position[0].isoformat()}_{position[1]}" if position else ""

    def key(version: int) -> str:
        where = (group.pk, version, group.slug, get_current_timezone_name(), place)
        return ":".join(map(str, ("post-list", _shape(), *where)))

    return kept_or_built(
        LISTS,
        [group.pk],
        key(version),
        lambda: _build(group, cursor),
        keepable=lambda built: position is None or _is_a_place_in_the_list(group, position),
        in_process=HELD_LISTS,
    )


# The lists read most are held in each process as well (versions.KeptInProcess): a few
# KB each. _for_reader never changes what it reads.
HELD_LISTS = KeptInProcess(32)


def _is_a_place_in_the_list(group: Group, position) -> bool:
    when, post_id = position
    return _published(group).filter(pk=post_id, last_activity_at=when).exists()


def _published(group: Group):
    return Post.objects.filter(group=group, status=ContentStatus.PUBLISHED)


def _build(group: Group, cursor: str) -> KeptList:
    """The page as a reader sees it who has read none of its posts and blocked none of
    their authors, with each row's HTML as not new and as new."""
    posts = _published(group).defer(*queries.TEXT_NOT_LISTED).select_related("author")
    pinned, page, next_cursor = queries.list_page(posts, cursor=cursor)
    pinned, page = [PostRow.of(post) for post in pinned], [PostRow.of(post) for post in page]
    html = {row.pk: (_render(row, group), _render(replace(row, is_unread=True), group)) for row in pinned + page}
    return KeptList(pinned=pinned, posts=page, next_cursor=next_cursor, html=html)


def _for_reader(kept: KeptList, reader: Reader, user, group: Group) -> SafeString:
    """The kept rows' HTML as the reader's markers say, with the rows of authors they
    blocked rendered folded. The kept list is shared (other requests, in this process too,
    read the same one), so nothing of it is changed: a folded row is rendered from a copy."""
    rows = kept.pinned + kept.posts
    read_at = _read_markers(user.pk, [row.pk for row in rows])
    pieces = []
    for row in rows:
        is_unread = queries.is_unread(row, read_at.get(row.pk))
        if row.author_id is not None and row.author_id in reader.blocked:
            personal = replace(row, is_unread=is_unread, author_blocked=True)
            personal.folded = is_folded(personal)
            pieces.append(_render(personal, group))
        else:
            pieces.append(kept.html[row.pk][is_unread])
    return mark_safe("".join(pieces))  # noqa: S308 - Jinja2 escaped each row


def _read_markers(user_id: int, post_ids: list[int]) -> dict:
    """post id -> when the user last read it, for the posts of a page: a query compiled
    once per process for each number of posts (community/core/prepared.py)."""
    if not post_ids:
        return {}
    if prepared := _READ_MARKERS(len(post_ids)):
        return {row["post_id"]: row["read_at"] for row in prepared.fetchall(user_id, *post_ids)}
    return dict(_read_markers_of(user_id, *post_ids).values_list("post_id", "read_at"))


def _read_markers_of(user_id, *post_ids):
    return PostRead.objects.filter(user=user_id, post__in=post_ids).order_by().values("post_id", "read_at")


_READ_MARKERS = for_each_length(_read_markers_of)


@lru_cache(maxsize=1)
def _shape() -> str:
    return shape([TEMPLATE], PostRow)


def _render(post, group: Group) -> str:
    return engines["jinja2"].env.get_template(TEMPLATE).module.post_row(post, group)
