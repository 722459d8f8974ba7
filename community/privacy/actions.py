"""A member's control over their own data: exports, account deletion and blocking.

Each action is one transaction. Deletion in particular must leave either the whole old
account or the whole new state after a crash: a member gets what they chose, never half of it.
"""

import logging
import secrets
from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.core.errors import ActionRefused
from community.journal.actions import erase_journal
from community.mail.member import email_member, site_url
from community.models import Block, DataExport, ModerationLogRef, OutboxEmail
from community.privacy.exports import build_export_zip
from groups.meetings.actions import forget_member_rsvps
from groups.membership.counts import membership_status_changed
from groups.models import ContentStatus, Membership, ModerationLog, Post, QueueItem, Reply, Revision

logger = logging.getLogger(__name__)

# Long enough to download at leisure, short enough that a forgotten zip does not linger.
EXPORT_KEPT_FOR = timedelta(days=7)
ERASED_TITLE = "Removed by its author"
ERASED_HTML = '<p class="muted">This was removed by its author.</p>'


class DeletionMode:
    ANONYMISE = "anonymise"
    ERASE = "erase"
    CHOICES = [
        (ANONYMISE, "Keep my posts and replies, shown as written by “Former member”"),
        (ERASE, "Erase the text of my posts and replies (others’ replies to them stay)"),
    ]


@transaction.atomic
def request_data_export(*, user) -> DataExport:
    """Start building an export; the member is emailed when it is ready."""
    now = timezone.now()
    if DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).exists():
        raise ActionRefused("Your export is already being prepared. We will email you when it is ready.")
    export = DataExport.objects.create(user=user, expires_at=now + EXPORT_KEPT_FOR)
    transaction.on_commit(lambda: build_data_export.enqueue(export_id=export.pk))
    return export


@transaction.atomic
def complete_data_export(*, export_id: int, archive: bytes) -> DataExport | None:
    """Store a built archive and tell its owner; a second run of the same task does nothing."""
    export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return None
    export.archive = archive
    export.size = len(archive)
    export.status = DataExport.Status.READY
    export.ready_at = timezone.now()
    export.save()
    email_member(
        user=export.user,
        subject="Your data export is ready",
        template="community/emails/data_export_ready.txt",
        context={"privacy_url": site_url(reverse("community:privacy-settings")), "expires_at": export.expires_at},
    )
    return export


@task()
def build_data_export(*, export_id: int) -> int:
    """Build and store one member's export. Safe to run twice: a finished export is left
    as it is (complete_data_export checks under a row lock)."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return 0
    archive = build_export_zip(export.user)
    complete_data_export(export_id=export_id, archive=archive)
    logger.info("data export built bytes=%d", len(archive))
    return len(archive)


def purge_expired_exports(*, now=None) -> int:
    return DataExport.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]


@transaction.atomic
def block_member(*, blocker, blocked) -> Block:
    if blocked.pk == blocker.pk:
        raise ActionRefused("You cannot block yourself.")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


@transaction.atomic
def unblock_member(*, blocker, blocked_id: int) -> None:
    Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()


def _former_member_ref() -> str:
    return f"Former member {secrets.token_hex(4)}"


@transaction.atomic
def delete_account(*, user, mode: str) -> None:
    """Delete ``user`` for good: their identity goes, their words stay as chosen.

    ``mode`` is DeletionMode.ANONYMISE (posts kept, shown as "Former member") or
    DeletionMode.ERASE (text replaced). Every step runs in this one transaction.
    """
    if mode not in (DeletionMode.ANONYMISE, DeletionMode.ERASE):
        raise ActionRefused("Please choose what happens to your posts.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)

    # Seats at future meetings go to the waitlist, and group counts stay right.
    # Locked, so that a moderator removing them at this moment cannot count them out twice.
    memberships = Membership.objects.select_for_update(of=("self",)).filter(user=user).select_related("group")
    for membership in memberships:
        forget_member_rsvps(user=user, group=membership.group)
        # The row goes with the account below.
        membership_status_changed(group_id=membership.group_id, before=membership.status, after=None)

    # Held posts and replies never reached anyone: they leave with the account, and their
    # queue items close, so moderators are not asked to review the words of someone gone.
    held_posts = Post.objects.filter(author=user, status=ContentStatus.HELD)
    held_replies = Reply.objects.filter(author=user, status=ContentStatus.HELD)
    QueueItem.objects.filter(
        Q(post__in=held_posts) | Q(reply__in=held_replies),
        status=QueueItem.Status.OPEN,
        kind__in=[QueueItem.Kind.HELD_POST, QueueItem.Kind.HELD_REPLY],
    ).update(status=QueueItem.Status.DONE, handled_at=timezone.now())
    held_posts.update(status=ContentStatus.DELETED)
    held_replies.update(status=ContentStatus.DELETED)

    if mode == DeletionMode.ERASE:
        own_posts = Post.objects.filter(author=user)
        own_replies = Reply.objects.filter(author=user)
        Revision.objects.filter(Q(post__in=own_posts) | Q(reply__in=own_replies)).delete()
        own_posts.update(title=ERASED_TITLE, body="", body_html=ERASED_HTML, content_warning="", is_anonymous=False)
        own_replies.update(body="", body_html=ERASED_HTML, content_warning="", is_anonymous=False)

    # The moderation log keeps the action; the person becomes one stable pseudonym.
    ref = _former_member_ref()
    for entry in ModerationLog.objects.filter(Q(actor=user) | Q(target_user=user)):
        former, _ = ModerationLogRef.objects.get_or_create(entry=entry)
        if entry.actor_id == user.pk:
            former.actor_ref = ref
        if entry.target_user_id == user.pk:
            former.target_ref = ref
        former.save()

    # The treatment journal is erased outright, whichever mode was chosen.
    erase_journal(user=user)

    # Signed-in sessions end everywhere (the session store, not only allauth's list).
    for session in UserSession.objects.filter(user=user):
        session.end()
    # Queued work that names the member (emails to them, digests, exports) is dropped.
    DBTaskResult.objects.filter(
        Q(args_kwargs__icontains=user.email)
        | Q(args_kwargs__kwargs__user_id=user.pk)
        | Q(args_kwargs__kwargs__export_id__in=list(user.data_exports.values_list("pk", flat=True)))
    ).delete()
    # Emails still waiting for them go too (the rows they are the recipient of go with the account).
    OutboxEmail.objects.filter(to__icontains=user.email).delete()
    # The admin's history names the account in its text; the changes stay, the name goes.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(user.pk)
    ).delete()

    # Posts and replies survive (SET_NULL: "Former member"); memberships, reactions, RSVPs,
    # feed tokens, email addresses, second factors, exports and blocks go with the row.
    user.delete()
