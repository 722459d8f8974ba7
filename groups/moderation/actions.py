"""Moderation: reports, the queue, decisions on content and members, appeals, suspensions.

Every action runs in one transaction, locks the row it decides on (so that two moderators
acting at once cannot both win), writes its own moderation-log entry, and tells the
person concerned what happened and why.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import alert_moderators_of_risk, notify
from groups.access import can_moderate, can_read, group_moderators, membership_of, moderating_memberships
from groups.models import (
    Appeal,
    ContentStatus,
    Group,
    HoldReason,
    Membership,
    ModerationLog,
    ModeratorNote,
    Post,
    QueueItem,
    Reason,
    Reply,
    Report,
)
from groups.moderation.models import APPEALABLE_ACTIONS

Action = ModerationLog.Action
MAX_MUTE = timedelta(days=90)


def log(
    *, action: str, actor=None, group=None, target_user=None, post=None, reply=None, reason="", note="", until=None
) -> ModerationLog:
    return ModerationLog.objects.create(
        action=action,
        actor=actor,
        group=group,
        target_user=target_user,
        post=post,
        reply=reply,
        reason=reason,
        note=note.strip(),
        until=until,
    )


def _tell(user, entry: ModerationLog, *, kind=Notification.Kind.MODERATION) -> None:
    if user is not None:
        notify(recipients=[user], kind=kind, group=entry.group, post=entry.post, reply=entry.reply, decision=entry)


def _require_moderator(moderator, group: Group) -> None:
    if not can_moderate(moderator, group):
        raise ActionRefused("Only this group's moderators can do that.")


def _require_reason(reason: str) -> None:
    if reason not in Reason.values:
        raise ActionRefused("Choose a reason from the list.")


def _content_of(item) -> Post | Reply:
    return item.post if item.post_id else item.reply


# --- holding and flagging new content (called by the posting actions) -------------------


def enter_new_content(*, item: Post | Reply, group: Group, hold_reason: str, screening) -> None:
    """Log and queue what the rules decided about a post or reply just written."""
    is_post = isinstance(item, Post)
    target = {"post": item} if is_post else {"reply": item}
    author = item.author
    if hold_reason:
        log(action=Action.HELD, group=group, target_user=author, note=HoldReason(hold_reason).label, **target)
    if screening.is_risk:
        log(action=Action.FLAGGED_RISK, group=group, target_user=author, note="Crisis language", **target)
    if screening.flag_words or screening.hold_words:
        log(action=Action.FLAGGED_WORD, group=group, target_user=author, note=screening.why, **target)
    if hold_reason:
        kind = QueueItem.Kind.HELD_POST if is_post else QueueItem.Kind.HELD_REPLY
    elif screening.is_risk or screening.flag_words:
        kind = QueueItem.Kind.FLAGGED_POST if is_post else QueueItem.Kind.FLAGGED_REPLY
    else:
        return
    why = "; ".join(part for part in [HoldReason(hold_reason).label if hold_reason else "", screening.why] if part)
    # A moderator's own words go to the other moderators, not back to them.
    QueueItem.objects.create(group=group, kind=kind, is_risk=screening.is_risk, why=why, not_for=author, **target)
    if hold_reason:
        entry = ModerationLog.objects.filter(action=Action.HELD, **target).latest("id")
        _tell(author, entry, kind=Notification.Kind.HELD)
    if screening.is_risk:
        alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="own_words", exclude=author)


KEPT_TEXT_MAX = 20_000


@transaction.atomic
def record_refused_risk(*, author, group: Group, texts: list[str], refusal: str, post: Post | None = None) -> QueueItem:
    """Crisis words in something that was refused (a limit, a mute, a lock, a watched word,
    a form error): nothing is published, but the words reach a human. The text is kept on
    the queue item for the group's moderators, at the top of the queue, and they are alerted.

    The author's authority is not checked on purpose: whoever they are, a person who may be
    at risk is never turned away unheard. Call it only for a group the author belongs or
    belonged to (the views make sure of that)."""
    text = "\n\n".join(part.strip() for part in texts if part and part.strip())
    # One open item per member and group: a second refused message (a retry, a double
    # click) adds its words to it instead of another item and another alert.
    Membership.objects.select_for_update().filter(group=group, user=author).first()
    item = (
        QueueItem.objects.select_for_update()
        .filter(kind=QueueItem.Kind.REFUSED_RISK, member=author, group=group, status=QueueItem.Status.OPEN)
        .first()
    )
    if item is not None:
        if text not in item.kept_text:
            item.kept_text = f"{item.kept_text}\n\n---\n\n{text}"[:KEPT_TEXT_MAX]
            item.save(update_fields=["kept_text"])
        return item
    item = QueueItem.objects.create(
        group=group,
        kind=QueueItem.Kind.REFUSED_RISK,
        is_risk=True,
        why=f"Not published: {refusal}"[:200],
        kept_text=text[:KEPT_TEXT_MAX],
        member=author,
        post=post,
        not_for=author,
    )
    log(
        action=Action.FLAGGED_RISK,
        group=group,
        target_user=author,
        post=post,
        note="Crisis language in a message that was not published",
    )
    alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="refused", exclude=author)
    return item


def log_blocked(*, author, group: Group, words: str) -> None:
    """Record a submission a watched word blocked; it is its own transaction because the
    submission itself is refused."""
    with transaction.atomic():
        log(action=Action.BLOCKED, group=group, target_user=author, note=words)


# --- the queue -------------------------------------------------------------------------------


def _lock_open_item(item_id: int, moderator) -> QueueItem:
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


def _close(item: QueueItem, moderator) -> None:
    item.status = QueueItem.Status.DONE
    item.handled_by = moderator
    item.handled_at = timezone.now()
    item.save(update_fields=["status", "handled_by", "handled_at"])


@transaction.atomic
def claim_item(*, moderator, item: QueueItem) -> QueueItem:
    item = _lock_open_item(item.pk, moderator)
    if item.claimed_by_id and item.claimed_by_id != moderator.pk:
        raise ActionRefused(f"{item.claimed_by.display_name} is already handling this.")
    item.claimed_by = moderator
    item.claimed_at = timezone.now()
    item.save(update_fields=["claimed_by", "claimed_at"])
    return item


@transaction.atomic
def approve_item(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """Publish held content, clear a flag, keep reported content, or approve a join request."""
    item = _lock_open_item(item.pk, moderator)
    kind = QueueItem.Kind
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY):
        _publish_held(moderator=moderator, content=_content_of(item), group=item.group, note=note)
    elif item.kind == kind.REPORT:
        _close_reports(item, Report.Status.DISMISSED)
        content = item.report.post or item.report.reply
        if content is not None:
            _unhide_after_reports(content, moderator=moderator, group=item.group)
        log(
            action=Action.REPORT_DISMISSED,
            actor=moderator,
            group=item.group,
            post=item.report.post,
            reply=item.report.reply,
            target_user=item.report.reported_user,
            note=note,
        )
    elif item.kind in (kind.FLAGGED_POST, kind.FLAGGED_REPLY):
        pass  # kept as it is; the flag is settled
    elif item.kind == kind.JOIN_REQUEST:
        from groups.membership.actions import decide_join_request

        decide_join_request(moderator=moderator, membership=item.membership, approve=True, message=note)
    elif item.kind == kind.APPEAL:
        raise ActionRefused("Decide an appeal with 'keep the decision' or 'reverse it'.")
    _close(item, moderator)
    return item


def decision_choices(item: QueueItem) -> list[tuple[str, str]]:
    """The choices that fit a queue item, in the order the queue shows them (one place:
    the queue's forms and ``decide_item`` both read it)."""
    kind = QueueItem.Kind
    care = [("checked_in", "I checked in with them"), ("escalate", "Pass to site staff")]
    if item.escalated_at:
        care = care[:1]
    if item.kind == kind.JOIN_REQUEST:
        return [("approve", "Approve"), ("decline", "Decline, with a message")]
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY):
        held = [("approve", "Publish"), ("reject", "Reject, with a reason")]
        return [*care, *held] if item.is_risk else held
    if item.kind == kind.APPEAL:
        return [("uphold", "Keep the decision"), ("grant", "Reverse the decision")]
    if item.kind == kind.REFUSED_RISK:
        return care
    has_content = bool(item.post_id or item.reply_id)
    if item.is_risk:
        choices = [*care, ("approve", "Keep it: no action needed")]
        return [*choices, ("reject", "Remove it, with care and a reason")] if has_content else choices
    if item.kind == kind.REPORT and has_content:
        return [
            ("approve", "Keep it (dismiss the report)"),
            ("reject", "Remove it, with a reason"),
            ("warn", "Warn the author and keep it"),
        ]
    if item.kind == kind.REPORT:
        return [("approve", "Dismiss the report"), ("warn", "Warn the member")]
    return [("approve", "Keep it"), ("reject", "Remove it, with a reason")]


NEEDS_REASON = {"reject", "warn"}


def decide_item(*, moderator, item: QueueItem, decision: str, reason: str = "", note: str = "") -> QueueItem:
    """Carry out one of ``decision_choices(item)``; anything else is refused."""
    if decision not in dict(decision_choices(item)):
        raise ActionRefused("That choice does not fit this item. Reload the queue and choose again.")
    if decision in NEEDS_REASON:
        _require_reason(reason)
    if decision == "approve":
        return approve_item(moderator=moderator, item=item, note=note)
    if decision in ("reject", "decline"):
        return reject_item(moderator=moderator, item=item, reason=reason, note=note)
    if decision in ("uphold", "grant"):
        decide_appeal(moderator=moderator, item=item, grant=decision == "grant", response=note)
        return item
    if decision == "warn":
        return _warn_from_item(moderator=moderator, item=item, reason=reason, note=note)
    if decision == "escalate":
        return escalate_item(moderator=moderator, item=item, note=note)
    return checked_in(moderator=moderator, item=item, note=note)


def _member_of_item(item: QueueItem):
    content = _content_of(item) if (item.post_id or item.reply_id) else None
    if item.member_id:
        return item.member
    if item.report_id and item.report.reported_user_id:
        return item.report.reported_user
    return content.author if content is not None else None


@transaction.atomic
def checked_in(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """A moderator reached out to a member who may be at risk: the item is settled, and
    the log says so (the member is not notified: the check-in itself was the message)."""
    item = _lock_open_item(item.pk, moderator)
    if not item.is_risk:
        raise ActionRefused("Check-ins settle possible-risk items only.")
    log(
        action=Action.CHECKED_IN,
        actor=moderator,
        group=item.group,
        target_user=_member_of_item(item),
        post=item.post,
        reply=item.reply,
        note=note,
    )
    if item.report_id:
        _close_reports(item, Report.Status.ACTIONED)
        content = item.report.post or item.report.reply
        if content is not None:
            # Checking in settles the worry, not the content: anything hidden by reports shows again.
            _unhide_after_reports(content, moderator=moderator, group=item.group)
    _close(item, moderator)
    return item


@transaction.atomic
def escalate_item(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """Pass a possible-risk item to site staff: it stays open, marked, and staff are alerted."""
    item = _lock_open_item(item.pk, moderator)
    if not item.is_risk or item.escalated_at:
        raise ActionRefused("Only a possible-risk item not yet passed on can go to staff.")
    item.escalated_at = timezone.now()
    item.save(update_fields=["escalated_at"])
    log(
        action=Action.ESCALATED,
        actor=moderator,
        group=item.group,
        target_user=_member_of_item(item),
        post=item.post,
        reply=item.reply,
        note=note,
    )
    alert_moderators_of_risk(
        group=item.group, queue_url=reverse("moderation:queue"), what="escalated", exclude=_member_of_item(item)
    )
    return item


def _warn_from_item(*, moderator, item: QueueItem, reason: str, note: str) -> QueueItem:
    with transaction.atomic():
        item = _lock_open_item(item.pk, moderator)
        author = _member_of_item(item)
        if author is None:
            raise ActionRefused("There is nobody to warn: the account is gone.")
        warn_member(moderator=moderator, group=item.group, user=author, reason=reason, note=note)
        if item.report_id:
            _close_reports(item, Report.Status.ACTIONED)
            content = item.report.post or item.report.reply
            if content is not None:
                _unhide_after_reports(content, moderator=moderator, group=item.group)
        _close(item, moderator)
    return item


def _publish_held(*, moderator, content, group: Group, note: str) -> None:
    from groups.posts.actions import announce_published

    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.HELD:
        raise ActionRefused("This is no longer waiting for review.")
    content.status = ContentStatus.PUBLISHED
    content.hold_reason = ""
    content.save(update_fields=["status", "hold_reason"])
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    entry = log(action=Action.APPROVED, actor=moderator, group=group, target_user=content.author, note=note, **target)
    _tell(content.author, entry, kind=Notification.Kind.APPROVED)
    announce_published(content)
    # Anything else queued for the same item is settled by this decision.
    QueueItem.objects.filter(
        status=QueueItem.Status.OPEN, kind__in=[QueueItem.Kind.HELD_POST, QueueItem.Kind.HELD_REPLY], **target
    ).update(status=QueueItem.Status.DONE, handled_by=moderator, handled_at=timezone.now())


@transaction.atomic
def reject_item(*, moderator, item: QueueItem, reason: str, note: str = "") -> QueueItem:
    """Reject held content, act on a report by removing the content, or decline a request."""
    item = _lock_open_item(item.pk, moderator)
    kind = QueueItem.Kind
    if item.kind != kind.JOIN_REQUEST:
        _require_reason(reason)
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY, kind.FLAGGED_POST, kind.FLAGGED_REPLY):
        _take_down(
            moderator=moderator,
            content=_content_of(item),
            group=item.group,
            reason=reason,
            note=note,
            action=Action.REJECTED if item.kind in (kind.HELD_POST, kind.HELD_REPLY) else Action.REMOVED,
        )
    elif item.kind == kind.REPORT:
        content = item.report.post or item.report.reply
        if content is None:
            raise ActionRefused("A report about a member is settled by warning, muting or removing them.")
        _take_down(
            moderator=moderator, content=content, group=item.group, reason=reason, note=note, action=Action.REMOVED
        )
    elif item.kind == kind.JOIN_REQUEST:
        from groups.membership.actions import decide_join_request

        decide_join_request(moderator=moderator, membership=item.membership, approve=False, message=note)
    else:
        raise ActionRefused("Decide an appeal with 'keep the decision' or 'reverse it'.")
    _close(item, moderator)
    return item


def _take_down(*, moderator, content, group: Group, reason: str, note: str, action: str) -> ModerationLog:
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status in (ContentStatus.REMOVED, ContentStatus.DELETED):
        raise ActionRefused("This has already been taken down.")
    was_published = content.status == ContentStatus.PUBLISHED
    content.status = ContentStatus.REMOVED
    content.save(update_fields=["status"])
    if isinstance(content, Reply) and was_published:
        Post.objects.filter(pk=content.post_id).update(reply_count=F("reply_count") - 1)
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
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
    _tell(content.author, entry)
    return entry


def _close_reports(item: QueueItem, status: str) -> None:
    """Settle every open report the item stands for (reports about one thing share it)."""
    _open_reports_like(item.report).update(status=status)


def _unhide_after_reports(content: Post | Reply, *, moderator, group: Group) -> None:
    """Reports settled without removing it: content hidden only because of reports is
    shown again, and its author, who was told it was under review, is told so."""
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.HELD or content.hold_reason != HoldReason.REPORTS:
        return
    content.status = ContentStatus.PUBLISHED
    content.hold_reason = ""
    content.save(update_fields=["status", "hold_reason"])
    if isinstance(content, Reply):
        Post.objects.filter(pk=content.post_id).update(reply_count=F("reply_count") + 1)
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    entry = log(
        action=Action.RESTORED,
        actor=moderator,
        group=group,
        target_user=content.author,
        note="Reviewed after reports and kept",
        **target,
    )
    _tell(content.author, entry)


@transaction.atomic
def remove_content(*, moderator, content: Post | Reply, reason: str, note: str = "") -> ModerationLog:
    """Hide published content (kept, not destroyed) from the post or reply page."""
    _require_reason(reason)
    group = content.post.group if isinstance(content, Reply) else content.group
    _require_moderator(moderator, group)
    return _take_down(
        moderator=moderator, content=content, group=group, reason=reason, note=note, action=Action.REMOVED
    )


@transaction.atomic
def restore_content(*, moderator, content: Post | Reply, note: str = "") -> ModerationLog:
    group = content.post.group if isinstance(content, Reply) else content.group
    _require_moderator(moderator, group)
    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.REMOVED:
        raise ActionRefused("Only removed content can be restored.")
    content.status = ContentStatus.PUBLISHED
    content.save(update_fields=["status"])
    if isinstance(content, Reply):
        Post.objects.filter(pk=content.post_id).update(reply_count=F("reply_count") + 1)
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    return log(action=Action.RESTORED, actor=moderator, group=group, target_user=content.author, note=note, **target)


@transaction.atomic
def set_post_state(
    *,
    moderator,
    post: Post,
    pinned: bool | None = None,
    locked: bool | None = None,
    slow_mode_seconds: int | None = None,
    reason_text: str = "",
) -> Post:
    """Pin, lock or put a thread in slow mode; each change is logged."""
    post = Post.objects.select_for_update(of=("self",)).select_related("group").get(pk=post.pk)
    _require_moderator(moderator, post.group)
    changes = []
    if pinned is not None and pinned != post.is_pinned:
        post.is_pinned = pinned
        changes.append(Action.PINNED if pinned else Action.UNPINNED)
    if locked is not None and locked != post.is_locked:
        post.is_locked = locked
        changes.append(Action.LOCKED if locked else Action.UNLOCKED)
    if slow_mode_seconds is not None:
        if not 0 <= slow_mode_seconds <= 86_400:
            raise ActionRefused("Slow mode can be from 0 (off) to 24 hours.")
        if slow_mode_seconds and not reason_text.strip():
            raise ActionRefused("Say why the thread is in slow mode; members will see it.")
        post.slow_mode_seconds = slow_mode_seconds
        post.slow_mode_reason = reason_text.strip() if slow_mode_seconds else ""
        changes.append(Action.SLOW_MODE)
    post.save(update_fields=["is_pinned", "is_locked", "slow_mode_seconds", "slow_mode_reason"])
    for action in changes:
        note = post.slow_mode_reason if action == Action.SLOW_MODE else ""
        if action == Action.SLOW_MODE:
            note = f"{post.slow_mode_seconds // 60} minutes: {note}" if post.slow_mode_seconds else "Slow mode off"
        log(action=action, actor=moderator, group=post.group, post=post, target_user=post.author, note=note)
    return post


# --- reports ----------------------------------------------------------------------------------


def create_report(
    *,
    reporter,
    group: Group,
    reason: str,
    note: str = "",
    post: Post | None = None,
    reply: Reply | None = None,
    member=None,
) -> Report:
    """A member reports a post, a reply or a member of a group they share. The reported
    person is never told who reported."""
    if reason not in Report.Reason.values:
        raise ActionRefused("Choose a reason from the list.")
    if not can_read(reporter, group):
        raise ActionRefused("You can only report what you can see.")
    content = post or reply
    author = content.author if content else member
    if author is not None and author.pk == reporter.pk:
        raise ActionRefused("You cannot report your own post or yourself.")
    if member is not None:
        membership = membership_of(member, group)
        if membership is None or not membership.is_active:
            raise ActionRefused("You can only report members of a group you share.")
    with transaction.atomic():
        # One report at a time per reported item, so that the count that hides it, the
        # single queue item and the "under review" notice are exact however many arrive.
        if content is not None:
            content = type(content).objects.select_for_update().get(pk=content.pk)
        else:
            Membership.objects.select_for_update().filter(group=group, user=member).first()
        target = {"post": post, "reply": reply} if content is not None else {"post": None, "reply": None}
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter, group=group, reported_user=author, reason=reason, note=note.strip(), **target
                )
        except IntegrityError:
            raise ActionRefused("You have already reported this. A moderator will look at it.") from None
        is_risk = reason == Report.Reason.AT_RISK
        item = _open_report_item(report)
        raised_to_risk = is_risk and not (item and item.is_risk)
        if item is None:
            item = QueueItem.objects.create(
                group=group, kind=QueueItem.Kind.REPORT, report=report, is_risk=is_risk, **target
            )
        elif is_risk:
            item.is_risk = True
        item.why = _reports_summary(report) + (
            " · hidden until you decide" if content and _held_by_reports(content) else ""
        )
        item.save(update_fields=["is_risk", "why"])
        if content is not None:
            _hide_if_reported_enough(content, group, item)
        if raised_to_risk:
            alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="report")
    return report


def _held_by_reports(content: Post | Reply) -> bool:
    return content.status == ContentStatus.HELD and content.hold_reason == HoldReason.REPORTS


def _open_reports_like(report: Report):
    """The open reports about the same post, reply or member as ``report``."""
    if report.post_id:
        return Report.objects.filter(status=Report.Status.OPEN, post_id=report.post_id)
    if report.reply_id:
        return Report.objects.filter(status=Report.Status.OPEN, reply_id=report.reply_id)
    return Report.objects.filter(
        status=Report.Status.OPEN,
        group_id=report.group_id,
        reported_user_id=report.reported_user_id,
        post__isnull=True,
        reply__isnull=True,
    )


def _open_report_item(report: Report) -> QueueItem | None:
    """The open queue item that reports about the same thing share (one per thing)."""
    return (
        QueueItem.objects.select_for_update()
        .filter(status=QueueItem.Status.OPEN, kind=QueueItem.Kind.REPORT, report__in=_open_reports_like(report))
        .first()
    )


def _reports_summary(report: Report) -> str:
    """ "Reported by 3 members: Spam (2), Something else (1)": how many and why, never who."""
    reasons = Counter(_open_reports_like(report).values_list("reason", flat=True))
    total = sum(reasons.values())
    parts = ", ".join(f"{Report.Reason(reason).label} ({count})" for reason, count in reasons.most_common())
    return f"Reported by {total} member{'s' if total != 1 else ''}: {parts}"[:200]


def _hide_if_reported_enough(content: Post | Reply, group: Group, item: QueueItem) -> None:
    """Hide published content that enough members reported, until a moderator decides
    on the report's queue item. Call with the content's row locked."""
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    reporters = Report.objects.filter(status=Report.Status.OPEN, **target).values("reporter").distinct().count()
    if reporters < settings.REPORTS_TO_HIDE or content.status != ContentStatus.PUBLISHED:
        return
    type(content).objects.filter(pk=content.pk).update(status=ContentStatus.HELD, hold_reason=HoldReason.REPORTS)
    if isinstance(content, Reply):
        Post.objects.filter(pk=content.post_id).update(reply_count=F("reply_count") - 1)
    entry = log(
        action=Action.HIDDEN_BY_REPORTS,
        group=group,
        target_user=content.author,
        note=f"{reporters} members reported it",
        **target,
    )
    _tell(content.author, entry, kind=Notification.Kind.UNDER_REVIEW)
    item.why = f"{item.why[:160]} · hidden until you decide"
    item.save(update_fields=["why"])


# --- members ---------------------------------------------------------------------------------


def _lock_target_membership(*, moderator, group: Group, user) -> Membership:
    _require_moderator(moderator, group)
    if user.pk == moderator.pk:
        raise ActionRefused("You cannot do that to yourself.")
    if is_site_staff(user):
        raise ActionRefused("Site staff cannot be moderated from a group.")
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        raise ActionRefused("That person is not in this group.")
    mine = membership_of(moderator, group)
    actor_is_owner = is_site_staff(moderator) or (mine is not None and mine.role == Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and not is_site_staff(moderator):
        raise ActionRefused("A group's owner can only be moderated by site staff.")
    if membership.role == Membership.Role.MODERATOR and not actor_is_owner:
        raise ActionRefused("Only the owner or site staff can act on another moderator.")
    return membership


@transaction.atomic
def warn_member(*, moderator, group: Group, user, reason: str, note: str = "") -> ModerationLog:
    _require_reason(reason)
    _lock_target_membership(moderator=moderator, group=group, user=user)
    entry = log(action=Action.WARNED, actor=moderator, group=group, target_user=user, reason=reason, note=note)
    _tell(user, entry)
    return entry


@transaction.atomic
def mute_member(*, moderator, group: Group, user, minutes: int, reason: str, note: str = "") -> ModerationLog:
    _require_reason(reason)
    if minutes <= 0 or timedelta(minutes=minutes) > MAX_MUTE:
        raise ActionRefused("A mute lasts from 1 minute to 90 days.")
    membership = _lock_target_membership(moderator=moderator, group=group, user=user)
    if not membership.is_active:
        raise ActionRefused("Only current members can be muted.")
    membership.muted_until = timezone.now() + timedelta(minutes=minutes)
    membership.save(update_fields=["muted_until", "updated_at"])
    entry = log(
        action=Action.MUTED,
        actor=moderator,
        group=group,
        target_user=user,
        reason=reason,
        note=note,
        until=membership.muted_until,
    )
    _tell(user, entry)
    return entry


@transaction.atomic
def remove_member(*, moderator, group: Group, user, reason: str, note: str = "", ban: bool = False) -> ModerationLog:
    """Remove from the group (they may ask to come back) or ban (they may not)."""
    _require_reason(reason)
    membership = _lock_target_membership(moderator=moderator, group=group, user=user)
    if membership.status == Membership.Status.BANNED:
        raise ActionRefused("This member is already banned.")
    if membership.is_active:
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") - 1)
    elif not ban:
        raise ActionRefused("This person is not a current member.")
    membership.status = Membership.Status.BANNED if ban else Membership.Status.REMOVED
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    from groups.meetings.actions import forget_member_rsvps

    forget_member_rsvps(user=user, group=group)
    entry = log(
        action=Action.BANNED if ban else Action.MEMBER_REMOVED,
        actor=moderator,
        group=group,
        target_user=user,
        reason=reason,
        note=note,
    )
    _tell(user, entry)
    return entry


@transaction.atomic
def add_moderator_note(*, moderator, group: Group, user, text: str) -> ModeratorNote:
    _require_moderator(moderator, group)
    if not text.strip():
        raise ActionRefused("Write the note first.")
    return ModeratorNote.objects.create(group=group, member=user, author=moderator, text=text.strip())


# --- suspensions (site staff) ----------------------------------------------------------------


@transaction.atomic
def suspend_account(*, staff, user, days: int | None, reason_text: str) -> ModerationLog:
    """Suspend for ``days`` days, or for good when ``days`` is None; sessions end at once."""
    if not is_site_staff(staff):
        raise ActionRefused("Only site staff can suspend accounts.")
    if user.pk == staff.pk or user.is_staff:
        raise ActionRefused("Staff accounts cannot be suspended here.")
    if days is not None and not 1 <= days <= 3650:
        raise ActionRefused("A suspension lasts from 1 day to 10 years, or for good.")
    if not reason_text.strip():
        raise ActionRefused("Say why; the member will see it.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    user.is_suspended = True
    user.suspended_until = timezone.now() + timedelta(days=days) if days else None
    user.suspension_reason = reason_text.strip()
    user.save(update_fields=["is_suspended", "suspended_until", "suspension_reason"])
    end_sessions_of(user)
    return log(action=Action.SUSPENDED, actor=staff, target_user=user, note=reason_text, until=user.suspended_until)


@transaction.atomic
def lift_suspension(*, staff, user, note: str = "") -> ModerationLog:
    if not is_site_staff(staff):
        raise ActionRefused("Only site staff can lift a suspension.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_suspended:
        raise ActionRefused("This account is not suspended.")
    user.is_suspended = False
    user.suspended_until = None
    user.save(update_fields=["is_suspended", "suspended_until"])
    return log(action=Action.SUSPENSION_LIFTED, actor=staff, target_user=user, note=note)


def end_sessions_of(user) -> None:
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()


# --- appeals ---------------------------------------------------------------------------------


@transaction.atomic
def appeal_decision(*, user, decision: ModerationLog, text: str) -> Appeal:
    decision = ModerationLog.objects.select_for_update(of=("self",)).select_related("group").get(pk=decision.pk)
    if decision.target_user_id != user.pk or decision.action not in APPEALABLE_ACTIONS:
        raise ActionRefused("This decision cannot be appealed.")
    if Appeal.objects.filter(decision=decision).exists():
        raise ActionRefused("You have already appealed this decision. A moderator will reply.")
    if not text.strip():
        raise ActionRefused("Please say why you think the decision should change.")
    appeal = Appeal.objects.create(decision=decision, appellant=user, text=text.strip())
    # Another moderator, where the group has one, looks at it.
    others = group_moderators(decision.group).exclude(user_id=decision.actor_id)
    QueueItem.objects.create(
        group=decision.group,
        kind=QueueItem.Kind.APPEAL,
        appeal=appeal,
        post=decision.post,
        reply=decision.reply,
        why=f"Appeal of: {decision.get_action_display()}",
        not_for_id=decision.actor_id if others.exists() else None,
    )
    log(
        action=Action.APPEALED,
        actor=user,
        group=decision.group,
        target_user=user,
        post=decision.post,
        reply=decision.reply,
        note=text,
    )
    return appeal


@transaction.atomic
def decide_appeal(*, moderator, item: QueueItem, grant: bool, response: str = "") -> Appeal:
    item = _lock_open_item(item.pk, moderator)
    if item.kind != QueueItem.Kind.APPEAL:
        raise ActionRefused("This is not an appeal.")
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("decision").get(pk=item.appeal_id)
    decision = appeal.decision
    if grant:
        _reverse(decision, moderator)
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD
    appeal.response = response.strip()
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "response", "decided_at"])
    entry = log(
        action=Action.APPEAL_GRANTED if grant else Action.APPEAL_UPHELD,
        actor=moderator,
        group=decision.group,
        target_user=appeal.appellant,
        post=decision.post,
        reply=decision.reply,
        note=response,
    )
    _tell(appeal.appellant, entry, kind=Notification.Kind.APPEAL_DECIDED)
    _close(item, moderator)
    return appeal


def _reverse(decision: ModerationLog, moderator) -> None:
    content = decision.post if decision.reply_id is None else decision.reply
    if decision.action in (Action.REMOVED, Action.REJECTED) and content is not None:
        content = type(content).objects.select_for_update().get(pk=content.pk)
        if content.status == ContentStatus.REMOVED:
            from groups.posts.actions import announce_published

            content.status = ContentStatus.PUBLISHED
            content.save(update_fields=["status"])
            if decision.action == Action.REJECTED:
                # Never shown before: counted and announced as on a first publication.
                announce_published(content)
            elif isinstance(content, Reply):
                Post.objects.filter(pk=content.post_id).update(reply_count=F("reply_count") + 1)
    elif decision.action in (Action.MUTED, Action.MEMBER_REMOVED, Action.BANNED):
        membership = Membership.objects.select_for_update().get(group=decision.group, user=decision.target_user)
        if decision.action == Action.MUTED:
            membership.muted_until = None
        elif membership.status in (Membership.Status.REMOVED, Membership.Status.BANNED):
            membership.status = Membership.Status.ACTIVE
            Group.objects.filter(pk=decision.group_id).update(member_count=F("member_count") + 1)
        membership.save()


# --- reads for the queue ---------------------------------------------------------------------


def queue_for(moderator, *, group_id: int | None = None, kind: str = ""):
    """Open items in every group the user moderates (staff: all), risk first, then oldest.
    Appeals against the user's own decisions go to someone else."""
    items = QueueItem.objects.filter(status=QueueItem.Status.OPEN).exclude(not_for=moderator)
    if not is_site_staff(moderator):
        items = items.filter(group_id__in=moderating_memberships(moderator).values("group_id"))
    if group_id:
        items = items.filter(group_id=group_id)
    if kind:
        items = items.filter(kind=kind)
    return items.select_related(
        "group",
        "claimed_by",
        "post",
        "post__author",
        "post__group",
        "reply",
        "reply__author",
        "reply__post",
        "reply__post__group",
        "report",
        "report__reported_user",
        "membership",
        "membership__user",
        "appeal",
        "appeal__decision",
        "appeal__appellant",
        "member",
    ).order_by("-is_risk", "created_at", "id")
