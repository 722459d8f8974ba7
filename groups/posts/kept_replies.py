"""A page of a thread's replies as most of its readers see it, kept between requests.

Most readers of a page of replies see the same thing: the same replies, names, words,
times and reaction counts. What is personal is little: the reader's own replies (edit,
delete, the history link), replies whose author the reader blocked (folded away) and the
reactions the reader gave. So a page is kept as the HTML of each reply as a reader with
none of those sees it (rendered for viewer NOBODY), with the rows it was rendered from;
a request renders afresh only the replies personal to its reader, and puts its own CSRF
token where the kept HTML holds CSRF_PLACEHOLDER.

A page is kept under the thread's version (``groups/posts/versions.py``), which the
database's triggers change on every write to the thread's replies, to the reactions on the post or
its replies, and to its repliers' display names; and under everything else its HTML
depends on: the group's address, the reader's time zone, whether the reader may react.
A page is kept only when it cannot be older than its version (``versions.py`` says how).

Built for the request, never kept:
- for the group's moderators: they see held and removed replies, the moderation tools,
  and who wrote an anonymous reply;
- for a reader with a reply of their own waiting for review in the thread (only they and
  the moderators see it);
- while the cache is not shared by every process (``pagecache.may_keep``).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.template import engines
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name

from community.core import pagecache
from community.core.csrf import page_csrf_input
from community.core.prepared import PreparedValues
from community.models import Notification
from groups.access import (
    author_label,
    is_folded,
    may_open,
    post_with_author_fields,
    visible_post_of,
    visible_post_query,
)
from groups.models import ContentStatus, Post, PostRead, Reaction, Reason, Reply
from groups.posts import queries
from groups.posts.read_markers import ReadState
from groups.posts.versions import (
    THREADS,
    KeptInProcess,
    blocked_by,
    ids_in,
    joined,
    kept_or_built,
    shape,
    thread_version,
)

TEMPLATES = [
    "groups/posts/_reply.html",
    "groups/posts/_content_body.html",
    "groups/posts/_reactions.html",
    "groups/moderation/_mod_tools.html",
]
# Where a kept reply's forms hold the reader's CSRF token.
CSRF_PLACEHOLDER = "\x00csrf-input\x00"
_PLACEHOLDER = mark_safe(CSRF_PLACEHOLDER)  # noqa: S308 - a constant
# The reader a kept reply is rendered for: no account has this id.
NOBODY = 0
MODERATION_REASONS = tuple(Reason.choices)


@dataclass(slots=True)
class ReplyRow:
    """What the reply template shows of one reply, kept with its page."""

    pk: int
    number: int
    status: str
    author_id: int | None  # None for anonymous replies, whose author_key says whose they are
    author_key: str
    is_anonymous: bool
    shown_author: str
    created_at: datetime
    edited_at: datetime | None
    content_warning: str
    body_html: str
    counts: dict = field(default_factory=dict)  # reaction kind -> how many
    # Set per reader, for the replies rendered for them.
    folded: bool = False
    author_blocked: bool = False
    reaction_rows: list = field(default_factory=list)

    @classmethod
    def of(cls, reply: Reply, counts: dict) -> "ReplyRow":
        """The row as kept: what the page shows of the reply and no more. A deleted reply
        shows only that it was deleted, so its words (kept in the database for the
        moderators) stay out of the cache; an anonymous reply keeps no author id, only a
        key that tells its author that it is theirs."""
        deleted, anonymous = reply.status == ContentStatus.DELETED, reply.is_anonymous
        return cls(
            pk=reply.pk,
            number=reply.number,
            status=reply.status,
            author_id=None if deleted or anonymous else reply.author_id,
            author_key=author_key(reply.author_id) if anonymous and not deleted else "",
            is_anonymous=anonymous,
            shown_author="" if deleted else author_label(reply, viewer_moderates=False),
            created_at=reply.created_at,
            edited_at=None if deleted else reply.edited_at,
            content_warning="" if deleted else reply.content_warning,
            body_html="" if deleted else reply.body_html,
            counts={} if deleted else counts,
        )


def author_key(user_id: int | None) -> str:
    """Who wrote an anonymous reply, in a form only that member's own requests can match."""
    return (
        salted_hmac("groups.posts.kept_replies.author", str(user_id), algorithm="sha256").hexdigest()[:24]
        if user_id
        else ""
    )


@dataclass
class KeptPage:
    page: queries.ReplyPage  # its replies are ReplyRows
    html: list[str]  # each reply's, for NOBODY
    post_counts: dict


def replies_shown(request, *, group, post: Post, moderates: bool, cannot_post: str, reader=None):
    """The page of ``post``'s replies that the request asks for, and its HTML as
    ``request.user`` sees it; also sets ``post.reaction_rows``. ``reader``: the Reader,
    where ``post_and_reader`` read it with the post. Returns (page, html, the reader's
    ReadState where it was read on the way, else None)."""
    user = request.user
    asked = {
        "start_at": request.GET.get("from"),
        "before": request.GET.get("before"),
        "latest": "latest" in request.GET,
    }
    if reads_kept(moderates):
        reader = reader or _reader_in(post, user)
        if not reader.waiting_for_review:
            kept = _kept_page(post, group, reader.version, not cannot_post, asked)
            html = _for_reader(request, kept, reader, group=group, post=post, cannot_post=cannot_post)
            return kept.page, html, reader.read
    page = queries.thread_replies(user=user, post=post, **asked)
    queries.attach_reactions(user=user, post=post, replies=page.replies)
    token = page_csrf_input(request)
    pieces = [_render(reply, group, user.pk, moderates, cannot_post, token) for reply in page.replies]
    return page, mark_safe("".join(pieces)), None  # noqa: S308 - Jinja2 escaped each piece


def reads_kept(moderates: bool) -> bool:
    """Whether a reader's page of replies may come from a kept page (see above)."""
    return not moderates and pagecache.may_keep()


def post_and_reader(user, group, post_id: int):
    """``get_post_for_viewer`` for a reader the kept page is for (``reads_kept``), with
    their Reader, in one statement: the post's rule is ``visible_post_query``'s, its 404s
    the same. Returns (post, reader)."""
    rows = _POST_AND_READER.fetchall(user.pk, group.pk, post_id) if may_open(user, group, post_id) else []
    if not rows:
        raise Http404("No such post.")
    (row,) = rows
    return visible_post_of(row, group), _reader_of(row)


class Reader(NamedTuple):
    """What a reader's page of a thread needs beyond the kept page."""

    version: int  # the thread's (0 before its first change)
    waiting_for_review: bool  # a reply of theirs in the thread is
    blocked: set  # ids of the members they blocked
    given: dict  # the kinds of reaction they gave the post ("post") and each reply (by id)
    read: ReadState  # what read_markers.mark_read would change


def _reader_in(post: Post, user) -> Reader:
    rows = _READER_IN_THREAD.fetchall(post.pk, user.pk)
    if not rows:  # deleted since the reader's access was checked
        raise Http404("No such post.")
    return _reader_of(rows[0])


def _reader_of(row: dict) -> Reader:
    given = {"post": set(row["on_post"].split(","))} if row["on_post"] else {}
    for reaction in row["on_replies"].split(",") if row["on_replies"] else ():
        reply_id, kind = reaction.split(" ")
        given.setdefault(int(reply_id), set()).add(kind)
    read = ReadState(row["read_at"], row["last_activity_at"], row["unread_notices"])
    return Reader(row["version"], row["waiting"], ids_in(row["blocked"]), given, read)


def _reader_fields(user_id: int) -> dict:
    """What a Reader holds of the post the outer query reads: the thread's version,
    whether the user has a reply waiting for review in it, the ids of the members they
    blocked, the kinds of reaction they gave the post, and those they gave its replies
    ("<reply id> <kind>"), each list joined with commas; then when they last read the
    thread and whether any notification about it is unread (with ``last_activity_at``)."""
    waiting = Reply.objects.filter(post=OuterRef("pk"), author=user_id, status=ContentStatus.HELD)
    read_at = PostRead.objects.filter(post=OuterRef("pk"), user=user_id).values("read_at")
    unread_notices = Notification.objects.filter(post=OuterRef("pk"), recipient=user_id, read_at__isnull=True)
    on_post = joined(Reaction.objects.filter(post=OuterRef("pk"), user=user_id), "user", "kind")
    on_replies = joined(
        # Two lists, not one with an OR: each is then read from the smaller side of its join.
        Reaction.objects.filter(reply__post=OuterRef("pk"), user=user_id),
        "user",
        Concat(Cast("reply", TextField()), Value(" "), "kind", output_field=TextField()),
    )
    return {
        "version": thread_version(),
        "waiting": Exists(waiting),
        "blocked": Subquery(blocked_by(user_id)),
        "on_post": Subquery(on_post),
        "on_replies": Subquery(on_replies),
        "read_at": Subquery(read_at),
        "unread_notices": Exists(unread_notices),
    }


def _reader_in_thread(post_id: int, user_id: int):
    """One row: the Reader's values for a post already read."""
    return Post.objects.filter(pk=post_id).values("last_activity_at", **_reader_fields(user_id))


def _post_and_reader(user_id: int, group_id: int, post_id: int):
    """One row: the post as ``visible_post`` reads it for a reader who does not moderate
    the group, and the Reader's values."""
    return visible_post_query(user_id, group_id, post_id, moderates=False).values(
        *post_with_author_fields(), "author_blocked", **_reader_fields(user_id)
    )


# Compiled once per process; their values converted as the ORM would (SQLite's dates).
_READER_IN_THREAD = PreparedValues(_reader_in_thread, ids=2)
_POST_AND_READER = PreparedValues(_post_and_reader, ids=3)


def _kept_page(post: Post, group, version: int, may_react: bool, asked: dict) -> KeptPage:
    # The anchor the page is chosen by (reply_page takes "before" over "from").
    before, start_at = queries.reply_id(asked["before"]), queries.reply_id(asked["start_at"])
    anchor = ("before", before) if before else ("from", start_at) if start_at else ("", None)

    def key(version: int) -> str:
        where = (post.pk, version, group.slug, get_current_timezone_name(), may_react, *anchor, asked["latest"])
        return ":".join(map(str, ("thread-replies", _shape(), *where)))

    return kept_or_built(
        THREADS,
        [post.pk],
        key(version),
        lambda: _build(post, group, may_react, asked),
        # An anchor that is no reply of this thread gives the first page: not kept under
        # an address anyone could make up.
        keepable=lambda built: built.page.anchored or anchor[1] is None,
        in_process=HELD_PAGES,
    )


# The pages read most are held in each process as well (versions.KeptInProcess): some
# 80 KB each, a megabyte and a half at most. _for_reader never changes what it reads.
HELD_PAGES = KeptInProcess(16)


def _build(post: Post, group, may_react: bool, asked: dict) -> KeptPage:
    """The page as a reader sees it who wrote none of its replies, blocked none of their
    authors, gave no reaction and has no reply waiting for review."""
    replies = Reply.objects.filter(
        post=post, status__in=[ContentStatus.PUBLISHED, ContentStatus.DELETED]
    ).select_related("author")
    page = queries.reply_page(replies, **asked)
    counts, _nobody_gave = queries.reaction_counts(post=post, replies=page.replies)
    page.replies = [ReplyRow.of(reply, counts[reply.pk]) for reply in page.replies]
    for row in page.replies:
        row.reaction_rows = queries.reaction_rows(row.counts, set())
    cannot_post = "" if may_react else "cannot"
    html = [_render(row, group, NOBODY, False, cannot_post, _PLACEHOLDER) for row in page.replies]
    return KeptPage(page=page, html=html, post_counts=counts["post"])


def _for_reader(request, kept: KeptPage, reader: Reader, *, group, post: Post, cannot_post: str) -> SafeString:
    """The kept page's HTML with the replies personal to the reader rendered for them.
    The kept page is shared (other requests, in this process too, read the same one), so
    nothing of it is changed: a personal reply is rendered from a copy of its row."""
    user_id, user_key, no_reactions = request.user.pk, author_key(request.user.pk), set()
    pieces = []
    for row, piece in zip(kept.page.replies, kept.html, strict=True):
        # Their own anonymous reply: its buttons are theirs.
        author_id = user_id if row.author_key and row.author_key == user_key else row.author_id
        given = reader.given.get(row.pk, no_reactions)
        if author_id == user_id or author_id in reader.blocked or given:
            personal = replace(row, author_id=author_id, author_blocked=author_id in reader.blocked)
            personal.folded = is_folded(personal)
            if author_id == user_id or personal.folded or given:
                personal.reaction_rows = queries.reaction_rows(row.counts, given)
                piece = _render(personal, group, user_id, False, cannot_post, _PLACEHOLDER)
        pieces.append(piece)
    post.reaction_rows = queries.reaction_rows(kept.post_counts, reader.given.get("post", no_reactions))
    html = "".join(pieces).replace(CSRF_PLACEHOLDER, page_csrf_input(request))
    return mark_safe(html)  # noqa: S308 - Jinja2 escaped each piece; the token is Django's


@lru_cache(maxsize=1)
def _shape() -> str:
    return shape(TEMPLATES, ReplyRow)


def _render(reply, group, viewer_id: int, moderates: bool, cannot_post: str, csrf) -> str:
    macro = engines["jinja2"].env.get_template("groups/posts/_reply.html").module.reply_article
    return macro(reply, group, viewer_id, moderates, cannot_post, MODERATION_REASONS, csrf)
