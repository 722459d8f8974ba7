"""Starting and writing in check-ins.

Each message is read for crisis language, whoever wrote it: the member is shown crisis
resources with it, and when the member's own words suggest risk the group's moderators
get the same alert as for a post ("possible risk"). The log records that a check-in
happened and who wrote, never the text (the thread is where it is read). Notifications
and emails say only that there is a message.
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import alert_moderators_of_risk, notify
from groups.access import group_moderators, why_cannot_check_in_with, why_cannot_write_in_check_in
from groups.checkins.models import MESSAGE_MAX
from groups.models import CheckIn, CheckInMessage, Group, Membership, ModerationLog, Post, Reply
from groups.posts.screening import has_crisis_language

Action = ModerationLog.Action
# The same text sent again this soon by the same person is a double click, not a new message.
DOUBLE_SEND = timedelta(minutes=2)


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ActionRefused("Please write your message first.")
    if len(body) > MESSAGE_MAX:
        raise ActionRefused(f"Please keep a message under {MESSAGE_MAX} characters.")
    return body


def _log(*, action: str, actor, check_in: CheckIn) -> ModerationLog:
    return ModerationLog.objects.create(
        action=action,
        actor=actor,
        group=check_in.group,
        target_user=check_in.member,
        post=check_in.post,
        reply=check_in.reply,
        check_in=check_in,
    )


def _add_message(*, author, check_in: CheckIn, body: str) -> CheckInMessage:
    is_risk = has_crisis_language(body)
    message = CheckInMessage.objects.create(check_in=check_in, author=author, body=body, is_risk=is_risk)
    check_in.last_message_at = message.created_at
    check_in.is_risk = check_in.is_risk or is_risk
    check_in.save(update_fields=["last_message_at", "is_risk"])
    if is_risk:
        ModerationLog.objects.create(
            action=Action.FLAGGED_RISK,
            group=check_in.group,
            target_user=check_in.member,
            check_in=check_in,
            note="Crisis language in a check-in",
        )
        if author.pk == check_in.member_id:
            alert_moderators_of_risk(
                group=check_in.group,
                queue_url=reverse(
                    "groups:check-in-detail", kwargs={"group_slug": check_in.group.slug, "check_in_id": check_in.pk}
                ),
                what="check_in",
                exclude=check_in.member,
            )
    return message


def _moderators_to_tell(check_in: CheckIn, *, author) -> list:
    """The moderators who wrote in the thread and still moderate the group; if none is
    left, every current moderator of the group (someone must read the answer)."""
    writers = {
        m.author_id
        for m in CheckInMessage.objects.filter(check_in=check_in).exclude(author=None).only("author_id")
        if m.author_id not in (check_in.member_id, author.pk)
    }
    moderators = group_moderators(check_in.group).select_related("user")
    team = [m.user for m in moderators if m.user_id != author.pk]
    chosen = [user for user in team if user.pk in writers]
    return chosen or team


@transaction.atomic
def start_check_in(
    *, moderator, group: Group, member, body: str, post: Post | None = None, reply: Reply | None = None
) -> CheckIn:
    """A moderator writes privately to a member, perhaps about a post or reply of theirs."""
    problem = why_cannot_check_in_with(moderator, group, member)
    if problem:
        raise ActionRefused(problem)
    body = _clean_body(body)
    # The member's row is locked so that a double click waits for the first request, then
    # finds the check-in it made instead of sending the member the same message twice.
    Membership.objects.select_for_update().filter(group=group, user=member).first()
    same = (
        CheckIn.objects.filter(
            group=group, member=member, started_by=moderator, created_at__gte=timezone.now() - DOUBLE_SEND
        )
        .filter(messages__author=moderator, messages__body=body)
        .first()
    )
    if same is not None:
        return same
    check_in = CheckIn.objects.create(
        group=group, member=member, started_by=moderator, post=post, reply=reply, last_message_at=timezone.now()
    )
    _add_message(author=moderator, check_in=check_in, body=body)
    _log(action=Action.CHECK_IN_STARTED, actor=moderator, check_in=check_in)
    notify(recipients=[member], kind=Notification.Kind.CHECK_IN, group=group, check_in=check_in)
    return check_in


@transaction.atomic
def write_in_check_in(*, author, check_in: CheckIn, body: str) -> CheckInMessage:
    """The member answers, or a moderator (any of the group's) writes again."""
    check_in = CheckIn.objects.select_for_update(of=("self",)).select_related("group", "member").get(pk=check_in.pk)
    problem = why_cannot_write_in_check_in(author, check_in)
    if problem:
        raise ActionRefused(problem)
    body = _clean_body(body)
    last = check_in.messages.order_by("-created_at", "-id").first()
    if last and last.author_id == author.pk and last.body == body and last.created_at > timezone.now() - DOUBLE_SEND:
        return last  # the same message sent twice (a double click): kept once
    message = _add_message(author=author, check_in=check_in, body=body)
    _log(action=Action.CHECK_IN_WRITTEN, actor=author, check_in=check_in)
    if author.pk == check_in.member_id:
        recipients, kind = _moderators_to_tell(check_in, author=author), Notification.Kind.CHECK_IN_ANSWER
    else:
        recipients, kind = [check_in.member], Notification.Kind.CHECK_IN
    notify(recipients=recipients, kind=kind, group=check_in.group, check_in=check_in)
    return message


def mark_check_in_read(*, user, check_in: CheckIn) -> None:
    """The reader has seen the thread: its notifications to them are read."""
    Notification.objects.filter(recipient=user, check_in=check_in, read_at__isnull=True).update(read_at=timezone.now())
