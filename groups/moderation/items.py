"""One queue item under decision: locking it, closing it, and what and whom it is about.

Every decision on the queue (``queue``) and on an appeal (``appeals``) takes the item
through ``lock_open_item`` and ends with ``close_item``, in one transaction.
"""

from django.utils import timezone

from community.core.errors import ActionRefused
from groups.access import can_moderate
from groups.models import Post, QueueItem, Reply
from groups.posts.content import content_of


def lock_open_item(item_id: int, moderator) -> QueueItem:
    """Lock an open item for a decision. The post or reply it is about is locked first, in
    the same order as a report takes them, so that a report arriving meanwhile waits
    instead of deadlocking. An item about a moderator's own words is for someone else."""
    ids = QueueItem.objects.filter(pk=item_id).values("post_id", "reply_id", "report__post_id", "report__reply_id")
    for row in ids:
        post_id, reply_id = row["post_id"] or row["report__post_id"], row["reply_id"] or row["report__reply_id"]
        if reply_id:
            Reply.objects.select_for_update().filter(pk=reply_id).first()
        elif post_id:
            Post.objects.select_for_update().filter(pk=post_id).first()
    item = (
        QueueItem.objects.select_for_update(of=("self",))
        .select_related("group", "handled_by", "post", "reply", "reply__post", "report", "membership", "appeal")
        .filter(pk=item_id)
        .first()
    )
    if item is None or not can_moderate(moderator, item.group):
        raise ActionRefused("That item is not in your queue.")
    if item.status == QueueItem.Status.DONE:
        who = item.handled_by.display_name if item.handled_by else "another moderator"
        raise ActionRefused(f"Already handled by {who}.")
    if item.not_for_id == moderator.pk:
        raise ActionRefused("Another moderator decides this one: it is about you or your own decision.")
    return item


def close_item(item: QueueItem, moderator) -> None:
    item.status = QueueItem.Status.DONE
    item.handled_by = moderator
    item.handled_at = timezone.now()
    item.save(update_fields=["status", "handled_by", "handled_at"])


def member_of_item(item: QueueItem):
    """The member an item is about: the one named on it, the one reported, or the author."""
    content = content_of(item)
    if item.member_id:
        return item.member
    if item.report_id and item.report.reported_user_id:
        return item.report.reported_user
    return content.author if content is not None else None
