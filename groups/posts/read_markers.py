"""Read markers: what a member has read of a thread, and their notifications about it."""

from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from community.core.prepared import STAND_INS, PreparedQuery, compiled_update
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
    last activity, the notifications when none about the thread was unread and the
    thread has had no activity since the mark in the last few minutes (a notice about a
    reply written or approved then may be on its way from the announce task, which writes
    it within seconds). A post approved long after it was written does not move its
    activity: a notice about it written in the milliseconds its page takes stays unread
    until the reader opens the thread again, as one written a moment later would."""
    now = timezone.now()
    if reached_end and (known is None or known.read_at is None or known.read_at < known.last_activity_at):
        PostRead.objects.bulk_create(
            [PostRead(user=user, post=post, read_at=now)],
            update_conflicts=True,
            unique_fields=["user", "post"],
            update_fields=["read_at"],
        )
    if known is not None and not known.unread_notices and not _notice_may_be_coming(known, now):
        return
    reply_ids = [reply.pk for reply in replies]
    prepared = _MARK_NOTICES_READ(len(reply_ids))
    if prepared is None:
        _notices_on_page(user.pk, post.pk, *reply_ids).update(read_at=now)
    else:
        prepared.execute(user.pk, post.pk, *reply_ids, now)


# How long after a thread's activity (a reply written, or approved) its notices may still
# be on their way. The announce task writes them within seconds; a notice later than this
# waits on a stopped worker, and comes when that starts again: as likely after the
# reader's page as while it is read.
NOTICES_ON_THEIR_WAY = timedelta(minutes=10)


def _notice_may_be_coming(known: ReadState, now) -> bool:
    since = now - NOTICES_ON_THEIR_WAY
    if known.read_at is not None:
        since = max(since, known.read_at)
    return known.last_activity_at > since


def _notices_on_page(user_id: int, post_id: int, *reply_ids: int):
    """The user's unread notifications about the post itself and about the replies shown."""
    return Notification.objects.filter(recipient=user_id, post=post_id, read_at__isnull=True).filter(
        Q(reply__isnull=True) | Q(reply_id__in=reply_ids)
    )


@lru_cache(maxsize=64)
def _MARK_NOTICES_READ(replies: int) -> PreparedQuery | None:
    """The UPDATE that marks them read, compiled once per process for each number of
    replies on a page (a thread page ran it through the ORM at every read)."""
    if 2 + replies > len(STAND_INS):
        return None

    def build(user_id, post_id, *reply_ids_and_now):
        *reply_ids, now = reply_ids_and_now
        return compiled_update(_notices_on_page(user_id, post_id, *reply_ids), read_at=now)

    return PreparedQuery(build, ids=2 + replies, datetimes=1)
