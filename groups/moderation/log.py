"""The moderation log: every decision writes one entry, and the person concerned is told.

Each moderation action writes its own entry with ``log`` inside its transaction; ``tell``
sends the notification that links to it (the member's "decisions about me" page).
"""

from django.db import transaction

from community.models import Notification
from community.notifications.actions import notify
from groups.models import Group, ModerationLog

Action = ModerationLog.Action


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


def tell(user, entry: ModerationLog, *, kind=Notification.Kind.MODERATION) -> None:
    """Notify ``user`` (if the account still exists) of the decision ``entry`` records."""
    if user is not None:
        notify(recipients=[user], kind=kind, group=entry.group, post=entry.post, reply=entry.reply, decision=entry)


def log_blocked(*, author, group: Group, words: str) -> None:
    """Record a submission a watched word blocked; it is its own transaction because the
    submission itself is refused."""
    with transaction.atomic():
        log(action=Action.BLOCKED, group=group, target_user=author, note=words)
