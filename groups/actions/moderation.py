"""Moderation: reports, the queue, decisions on content and members, appeals, suspensions.

Every action runs in one transaction, locks the row it decides on (so that two moderators
acting at once cannot both win), writes its own moderation-log entry, and tells the
person concerned what happened and why.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from community.errors import ActionRefused
from community.models import Notification
from community.notifications import alert_moderators_of_risk, notify
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
from groups.models.moderation import APPEALABLE_ACTIONS
from groups.permissions import can_moderate, can_read, is_site_staff, membership_of

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
    QueueItem.objects.create(group=group, kind=kind, is_risk=screening.is_risk, why=why, **target)
    if hold_reason:
        entry = ModerationLog.objects.filter(action=Action.HELD, **target).latest("id")
        _tell(author, entry, kind=Notification.Kind.HELD)
    if screening.is_risk:
        alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"))


def log_blocked(*, author, group: Group, words: str) -> None:
    """Record a submission a watched word blocked; it is its own transaction because the
    submission itself is refused."""
    with transaction.atomic():
        log(action=Action.BLOCKED, group=group, target_user=author, note=words)


# --- the queue -------------------------------------------------------------------------------


def _lock_open_item(item_id: int, moderator) -> QueueItem:
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
        log(
            action=Action.REPORT_DISMISSED,
            actor=moderator,
            group=item.group,
            post=item.report.post,
            reply=item.report.reply,
            target_user=item.report.reported_user,
            note=note,
        )
    elif item.kind == kind.JOIN_REQUEST:
        from groups.actions.membership import decide_join_request

        decide_join_request(moderator=moderator, membership=item.membership, approve=True, message=note)
    elif item.kind == kind.APPEAL:
        raise ActionRefused("Decide an appeal with 'keep the decision' or 'reverse it'.")
    _close(item, moderator)
    return item


def _publish_held(*, moderator, content, group: Group, note: str) -> None:
    from groups.actions.posts import announce_published

    content = type(content).objects.select_for_update().get(pk=content.pk)
    if content.status != ContentStatus.HELD:
        raise ActionRefused("This is no longer waiting for review.")
    content.status = ContentStatus.PUBLISHED
    content.hold_reason = ""
    content.save(update_fields=["status", "hold_reason"])
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    log(action=Action.APPROVED, actor=moderator, group=group, target_user=content.author, note=note, **target)
    announce_published(content)
    # Anything else queued for the same item is settled by this decision.
    QueueItem.objects.filter(
        status=QueueItem.Status.OPEN, kind__in=[QueueItem.Kind.HELD_POST, QueueItem.Kind.HELD_REPLY], **target
    ).update(status=QueueItem.Status.DONE, handled_by=moderator, handled_at=timezone.now())


@transaction.atomic
def reject_item(*, moderator, item: QueueItem, reason: str, note: str = "") -> QueueItem:
    """Reject held content, act on a report by removing the content, or decline a request."""
    _require_reason(reason)
    item = _lock_open_item(item.pk, moderator)
    kind = QueueItem.Kind
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
        from groups.actions.membership import decide_join_request

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
    QueueItem.objects.filter(status=QueueItem.Status.OPEN, **target).exclude(kind=QueueItem.Kind.APPEAL).update(
        status=QueueItem.Status.DONE, handled_by=moderator, handled_at=timezone.now()
    )
    Report.objects.filter(status=Report.Status.OPEN, **target).update(status=Report.Status.ACTIONED)
    _tell(content.author, entry)
    return entry


def _close_reports(item: QueueItem, status: str) -> None:
    Report.objects.filter(pk=item.report_id).update(status=status)


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
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                group=group,
                post=post,
                reply=reply,
                reported_user=author,
                reason=reason,
                note=note.strip(),
            )
            is_risk = reason == Report.Reason.AT_RISK
            QueueItem.objects.create(
                group=group,
                kind=QueueItem.Kind.REPORT,
                report=report,
                is_risk=is_risk,
                why=report.get_reason_display(),
                post=post,
                reply=reply,
            )
            if content is not None:
                _hide_if_reported_enough(content, group)
            if is_risk:
                alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"))
    except IntegrityError:
        raise ActionRefused("You have already reported this. A moderator will look at it.") from None
    return report


def _hide_if_reported_enough(content: Post | Reply, group: Group) -> None:
    target = {"post": content} if isinstance(content, Post) else {"reply": content}
    reporters = Report.objects.filter(status=Report.Status.OPEN, **target).values("reporter").distinct().count()
    if reporters < settings.REPORTS_TO_HIDE or content.status != ContentStatus.PUBLISHED:
        return
    type(content).objects.filter(pk=content.pk).update(status=ContentStatus.HELD, hold_reason=HoldReason.REPORTS)
    entry = log(
        action=Action.HIDDEN_BY_REPORTS,
        group=group,
        target_user=content.author,
        note=f"{reporters} members reported it",
        **target,
    )
    _tell(content.author, entry, kind=Notification.Kind.UNDER_REVIEW)
    kind = QueueItem.Kind.HELD_POST if isinstance(content, Post) else QueueItem.Kind.HELD_REPLY
    QueueItem.objects.create(group=group, kind=kind, why=HoldReason.REPORTS.label, **target)


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
    from groups.actions.meetings import forget_member_rsvps

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
    others = Membership.objects.filter(
        group=decision.group,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER],
    ).exclude(user_id=decision.actor_id)
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
    if item.not_for_id == moderator.pk:
        raise ActionRefused("Another moderator decides appeals against your own decisions.")
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
            from groups.actions.posts import announce_published

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
        moderated = Membership.objects.filter(
            user=moderator, status=Membership.Status.ACTIVE, role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER]
        ).values("group_id")
        items = items.filter(group_id__in=moderated)
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
    ).order_by("-is_risk", "created_at", "id")
