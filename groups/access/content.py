"""Which posts and replies a person may open, and which every list of them may show.

The pairs: ``visible_content_q`` (a group's post list, a thread's replies) with
``get_post_for_viewer`` / ``get_reply_for_viewer``, which filter by it; and
``published_content_q`` (lists across groups: site search and the member's home feed),
whose every item ``get_post_for_viewer`` / ``get_reply_for_viewer`` also allow.
tests/groups/access/test_access_pairs.py checks both for every role.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from community.core.prepared import PreparedValues, instance
from community.models import Block
from groups.access.groups import can_moderate, can_read
from groups.models import ContentStatus, Group, Post, Reply

ANONYMOUS_LABEL = "Anonymous member"
# No row has a larger id (a bigint); an address with one finds nothing, as the ORM's
# lookups would say without asking the database.
LARGEST_ID = 2**63 - 1
FORMER_MEMBER_LABEL = "Former member"


def visible_content_q(user, group: Group, *, prefix: str = "") -> Q:
    """Which posts (or, with prefix, replies) of ``group`` the user may see listed.
    Call after ``can_read``.

    Moderators see held and removed items (marked as such); authors see their own held
    items marked "waiting for review"; everyone else sees published ones only.
    """
    return _visible_content_q(user.pk, moderates=can_moderate(user, group), prefix=prefix)


def _visible_content_q(user_id, *, moderates: bool, prefix: str = "") -> Q:
    status = f"{prefix}status"
    if moderates:
        return Q(**{f"{status}__in": [ContentStatus.PUBLISHED, ContentStatus.HELD, ContentStatus.REMOVED]})
    return Q(**{status: ContentStatus.PUBLISHED}) | Q(**{status: ContentStatus.HELD, f"{prefix}author": user_id})


def published_content_q(group_ids, *, replies: bool = False) -> Q:
    """What lists across groups show: published posts (or published replies on published
    posts) of ``group_ids``, None meaning every group (staff). Held, removed and deleted
    content is never in them, even for its author or a moderator: site search (with
    ``readable_group_ids``) and the home feed (with ``active_memberships``) use it."""
    if replies:
        q = Q(status=ContentStatus.PUBLISHED, post__status=ContentStatus.PUBLISHED)
        return q if group_ids is None else q & Q(post__group_id__in=group_ids)
    q = Q(status=ContentStatus.PUBLISHED)
    return q if group_ids is None else q & Q(group_id__in=group_ids)


def can_see_history(user, item) -> bool:
    """Earlier versions of a post or reply (already fetched with its viewer check): its
    author sees their own; the group's moderators and staff see everyone's."""
    return (item.author_id is not None and item.author_id == user.pk) or can_moderate(user, item.group)


def author_label(item, *, viewer_moderates: bool) -> str:
    """The name shown for a post's or reply's author. Anonymous items show the real
    author to the group's moderators and staff only, and stay anonymous to everyone else
    after their author deleted their account ("Former member" would say who had left)."""
    if item.is_anonymous:
        if not viewer_moderates:
            return ANONYMOUS_LABEL
        name = FORMER_MEMBER_LABEL if item.author_id is None else item.author.display_name
        return f"{name} (posted anonymously)"
    if item.author_id is None:
        return FORMER_MEMBER_LABEL
    return item.author.display_name


# --- blocking: a member folds away another's words and cannot be mentioned by them ---------


def blocked_by_viewer(user) -> Exists:
    """Annotate posts or replies with this as ``author_blocked``: True where ``user``
    blocked the author. A subquery, so list pages cost no extra query."""
    return _blocked_by(user.pk)


def _blocked_by(user_id) -> Exists:
    return Exists(Block.objects.filter(blocker=user_id, blocked=OuterRef("author")))


def is_folded(item) -> bool:
    """Whether the item is shown collapsed (like a content warning) to its viewer.
    Anonymous items are never folded: folding them would tell the viewer who wrote them."""
    return bool(getattr(item, "author_blocked", False)) and not item.is_anonymous


def members_who_blocked(author):
    """Ids of members who blocked ``author``: the author cannot mention them."""
    return Block.objects.filter(blocked=author.pk).values("blocker")


# --- fetch-and-check: each returns the object or raises Http404 -----------------------------


def visible_post(user, group: Group, post_id: int) -> Post | None:
    """The post if the user may open it (published, their own held post, or anything but
    a deleted one for moderators), else None, with its author and whether the user
    blocked them (``author_blocked``). Call after ``can_read``."""
    if not _may_be_row_id(post_id):
        return None
    rows = _POST_FOR_VIEWER[can_moderate(user, group)].fetchall(user.pk, group.pk, post_id)
    return visible_post_of(rows[0], group) if rows else None


def get_post_for_viewer(user, group: Group, post_id: int) -> Post:
    """``visible_post`` with the reader check, and a 404."""
    post = visible_post(user, group, post_id) if may_open(user, group, post_id) else None
    if post is None:
        raise Http404("No such post.")
    return post


def may_open(user, group: Group, post_id: int) -> bool:
    """Whether ``post_id`` may be a post the user opens in ``group``: they may read the
    group, and a row could have that id. Asked before any query of a post."""
    return can_read(user, group) and _may_be_row_id(post_id)


def _may_be_row_id(pk: int) -> bool:
    return 0 < pk <= LARGEST_ID


def visible_post_query(user_id: int, group_id: int, post_id: int, *, moderates: bool):
    """``visible_post``'s query, before its values are chosen: for a compiled query that
    reads more of the same post in the same statement (a thread's reader). Its rows are
    read with ``post_with_author_fields()`` and ``author_blocked``, by ``visible_post_of``."""
    return Post.objects.filter(_visible_content_q(user_id, moderates=moderates), group=group_id, pk=post_id).annotate(
        author_blocked=_blocked_by(user_id)
    )


def visible_post_of(row: dict, group: Group) -> Post:
    """The post of a row of ``visible_post_query``."""
    post = post_with_author(row, group)
    post.author_blocked = row["author_blocked"]
    return post


def _post_for_viewer(moderates: bool):
    """The post with its author and whether the viewer blocked them, compiled once per
    process (community/core/prepared.py) for each shape of ``visible_content_q``."""

    def build(user_id: int, group_id: int, post_id: int):
        return visible_post_query(user_id, group_id, post_id, moderates=moderates).values(
            *post_with_author_fields(), "author_blocked"
        )

    return build


def post_with_author_fields() -> list[str]:
    """What a compiled query reads of a post and its author, for ``post_with_author``."""
    author_fields = [f"author__{field.attname}" for field in get_user_model()._meta.concrete_fields]
    return [*(field.attname for field in Post._meta.concrete_fields), *author_fields]


def post_with_author(row: dict, group: Group) -> Post:
    """The post a row of ``post_with_author_fields()`` holds, with its author, in ``group``:
    the one the caller read (with the member's access), not read again."""
    post = instance(Post, row)
    post.author = instance(get_user_model(), row, "author__")
    post.group = group
    return post


_POST_FOR_VIEWER = {moderates: PreparedValues(_post_for_viewer(moderates), ids=3) for moderates in (False, True)}


def get_reply_for_viewer(user, group: Group, reply_id: int) -> Reply:
    """A reply the user may open: by ``visible_content_q`` itself, on a post they may open."""
    if not can_read(user, group):
        raise Http404("No such reply.")
    reply = (
        Reply.objects.select_related("post", "post__group", "author")
        .filter(visible_content_q(user, group), post__group=group, pk=reply_id)
        .exclude(post__status=ContentStatus.DELETED)
        .first()
    )
    if reply is None or not get_post_for_viewer(user, group, reply.post_id):
        raise Http404("No such reply.")
    return reply


def get_post_for_author(user, group: Group, post_id: int) -> Post:
    """The user's own post, for editing or deleting; anyone else's is a 404."""
    post = get_post_for_viewer(user, group, post_id)
    if post.author_id != user.pk:
        raise Http404("No such post.")
    return post


def get_reply_for_author(user, group: Group, reply_id: int) -> Reply:
    reply = get_reply_for_viewer(user, group, reply_id)
    if reply.author_id != user.pk or reply.status == ContentStatus.DELETED:
        raise Http404("No such reply.")
    return reply
