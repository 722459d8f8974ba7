"""Moderators' decisions on a post or reply: publish what was held, take it down (remove
or reject), show again what reports hid, restore what was removed.

Each locks the post or reply, keeps the thread's reply count right, logs the decision and
tells the author.
"""

from django.db import transaction
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from groups.models import ContentStatus, Group, HoldReason, ModerationLog, Post, QueueItem, Reply, Report
from groups.moderation.checks import require_moderator, require_reason
from groups.moderation.log import Action, log, tell
from groups.posts.actions import announce_published
from groups.posts.content import target_of, thread_of
from groups.posts.counts import content_status_changed


def publish_held(*, moderator, content, group: Group, note: str) -> None:
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.HELD:
        raise ActionRefused("This is no longer waiting for review.")
    content.status = ContentStatus.PUBLISHED
    content.hold_reason = ""
    content.save(update_fields=["status", "hold_reason"])
    target = target_of(content)
    entry = log(action=Action.APPROVED, actor=moderator, group=group, target_user=content.author, note=note, **target)
    tell(content.author, entry, kind=Notification.Kind.APPROVED)
    announce_published(content)
    # Anything else queued for the same item is settled by this decision.
    QueueItem.objects.filter(
        status=QueueItem.Status.OPEN, kind__in=[QueueItem.Kind.HELD_POST, QueueItem.Kind.HELD_REPLY], **target
    ).update(status=QueueItem.Status.DONE, handled_by=moderator, handled_at=timezone.now())


def take_down(*, moderator, content, group: Group, reason: str, note: str, action: str) -> ModerationLog:
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status in (ContentStatus.REMOVED, ContentStatus.DELETED):
        raise ActionRefused("This has already been taken down.")
    content_status_changed(content, before=content.status, after=ContentStatus.REMOVED)
    content.status = ContentStatus.REMOVED
    content.save(update_fields=["status"])
    target = target_of(content)
    entry = log(
        action=action, actor=moderator, group=group, target_user=content.author, reason=reason, note=note, **target
    )
    # Settle every open queue item and report about this content with the same decision
    # (an appeal is a separate question and stays open).
    # A crisis item about someone else's refused reply to this post is a separate worry too.
    QueueItem.objects.filter(status=QueueItem.Status.OPEN, **target).exclude(
        kind__in=[QueueItem.Kind.APPEAL, QueueItem.Kind.REFUSED_RISK]
    ).update(status=QueueItem.Status.DONE, handled_by=moderator, handled_at=timezone.now())
    Report.objects.filter(status=Report.Status.OPEN, **target).update(status=Report.Status.ACTIONED)
    tell(content.author, entry)
    return entry


def unhide_after_reports(content: Post | Reply, *, moderator, group: Group) -> None:
    """Reports settled without removing it: content hidden only because of reports is
    shown again, and its author, who was told it was under review, is told so."""
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.HELD or content.hold_reason != HoldReason.REPORTS:
        return
    content_status_changed(content, before=content.status, after=ContentStatus.PUBLISHED)
    content.status = ContentStatus.PUBLISHED
    content.hold_reason = ""
    content.save(update_fields=["status", "hold_reason"])
    target = target_of(content)
    entry = log(
        action=Action.RESTORED,
        actor=moderator,
        group=group,
        target_user=content.author,
        note="Reviewed after reports and kept",
        **target,
    )
    tell(content.author, entry)


@transaction.atomic
def remove_content(*, moderator, content: Post | Reply, reason: str, note: str = "") -> ModerationLog:
    """Hide published content (kept, not destroyed) from the post or reply page."""
    require_reason(reason)
    group = thread_of(content).group
    require_moderator(moderator, group)
    return take_down(moderator=moderator, content=content, group=group, reason=reason, note=note, action=Action.REMOVED)


@transaction.atomic
def restore_content(*, moderator, content: Post | Reply, note: str = "") -> ModerationLog:
    group = thread_of(content).group
    require_moderator(moderator, group)
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.REMOVED:
        raise ActionRefused("Only removed content can be restored.")
    content_status_changed(content, before=content.status, after=ContentStatus.PUBLISHED)
    content.status = ContentStatus.PUBLISHED
    content.save(update_fields=["status"])
    target = target_of(content)
    return log(action=Action.RESTORED, actor=moderator, group=group, target_user=content.author, note=note, **target)
