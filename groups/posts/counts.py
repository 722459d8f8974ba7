"""Post.reply_count: the one place it changes.

The count is the number of the post's PUBLISHED replies (held, removed and deleted ones
are not counted). Every action that moves a reply in or out of PUBLISHED says so here,
inside its own transaction; seeding and repairs recount.
"""

from datetime import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groups.posts.models import ContentStatus, Post, Reply

PUBLISHED = ContentStatus.PUBLISHED


def reply_status_changed(*, post_id: int, before: str | None, after: str, activity_at: datetime | None = None) -> None:
    """Keep the post's reply count in step with one reply going from ``before`` to
    ``after`` (a status; None for a reply not counted before: just written, or shown for
    the first time after review). ``activity_at``, when given,
    moves the thread's last activity too, in the same statement.

    Call inside the action's transaction, with the reply row locked."""
    change = (after == PUBLISHED) - (before == PUBLISHED)
    fields = {"last_activity_at": activity_at} if activity_at else {}
    if change:
        fields["reply_count"] = F("reply_count") + change
    if fields:
        Post.objects.filter(pk=post_id).update(**fields)


def recount_replies(posts: QuerySet[Post]) -> None:
    """Set each post's count from its rows, in one statement (seeding, repairs)."""
    published = Reply.objects.filter(post=OuterRef("pk"), status=PUBLISHED)
    posts.update(reply_count=Coalesce(Subquery(published.values("post").annotate(n=Count("pk")).values("n")), 0))


def content_status_changed(item: Post | Reply, *, before: str | None, after: str) -> None:
    """``reply_status_changed`` for moderation, which treats posts and replies alike: a
    reply's change moves its post's count; a post's own status counts nothing here."""
    if isinstance(item, Reply):
        reply_status_changed(post_id=item.post_id, before=before, after=after)
