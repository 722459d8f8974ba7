"""Read markers: what a member has read of a thread, and their notifications about it."""

from datetime import datetime
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from community.models import Notification
from groups.models import Post, PostRead


class ReadState(NamedTuple):
    """What the reader had read of a thread when the page was read, where the page's
    reader query learnt it on the way (groups/posts/kept_replies.py)."""

    read_at: datetime | None  # their thread mark
    last_activity_at: datetime  # the thread's, read with it (the post may be older)
    unread_notices: bool  # whether any notification about the thread is unread


def mark_read(*, user, post: Post, replies, reached_end: bool, known: ReadState | None = None) -> None:
    """Record what the user has just read of a thread: the notifications about the post
    itself and about the replies on the page shown, and, once they have reached the
    newest replies, the whole thread (its "new" marker in the post list). A reply meant
    for them on a later page stays unread until they get there.

    The thread's mark is one upsert, safe when two tabs race. With ``known``, a write
    that would change nothing is left out: the mark when it is already past the thread's
    last activity, the notifications when none about the thread was unread and no reply
    shown is newer than the mark (its notice may be on its way from the announce task)."""
    now = timezone.now()
    if reached_end and (known is None or known.read_at is None or known.read_at < known.last_activity_at):
        PostRead.objects.bulk_create(
            [PostRead(user=user, post=post, read_at=now)],
            update_conflicts=True,
            unique_fields=["user", "post"],
            update_fields=["read_at"],
        )
    if known is not None and not known.unread_notices and not _any_newer(replies, known.read_at):
        return
    Notification.objects.filter(recipient=user, post=post, read_at__isnull=True).filter(
        Q(reply__isnull=True) | Q(reply_id__in=[reply.pk for reply in replies])
    ).update(read_at=now)


def _any_newer(replies, read_at) -> bool:
    return read_at is None or any(reply.created_at > read_at for reply in replies)
