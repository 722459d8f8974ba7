"""Read markers: what a member has read of a thread, and their notifications about it."""

from django.db.models import Q
from django.utils import timezone

from community.models import Notification
from groups.models import Post, PostRead


def mark_read(*, user, post: Post, reply_ids, reached_end: bool) -> None:
    """Record what the user has just read of a thread: the notifications about the post
    itself and about the replies on the page shown, and, once they have reached the
    newest replies, the whole thread (its "new" marker in the post list). A reply meant
    for them on a later page stays unread until they get there.

    The thread's mark is one upsert, safe when two tabs race."""
    now = timezone.now()
    if reached_end:
        PostRead.objects.bulk_create(
            [PostRead(user=user, post=post, read_at=now)],
            update_conflicts=True,
            unique_fields=["user", "post"],
            update_fields=["read_at"],
        )
    Notification.objects.filter(recipient=user, post=post, read_at__isnull=True).filter(
        Q(reply__isnull=True) | Q(reply_id__in=list(reply_ids))
    ).update(read_at=now)
