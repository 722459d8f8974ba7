"""The email outbox: how a message is queued, claimed, sent and accounted for.

What the site promises about email:

* **At least once.** A message is a row written in the same transaction as what it
  announces; if that transaction commits, the row exists, and it stays ``pending`` until
  a worker has seen the mail server accept it. A worker killed at any instant leaves the
  row pending (its lock goes with its connection), and the next drain sends it.
* **At most the one message in flight doubled per crash.** A worker sends one message
  at a time while holding that row's lock, and marks it sent in the same transaction
  right after the server accepted it. Only a crash (or a lost database) between the
  server's "250 OK" and that commit sends a message again: SMTP cannot promise more.
* **Never to someone who may no longer receive it.** ``still_deliverable`` is asked
  at send time, not only at queue time.
* **A silent mail server costs one timeout per pause**, not one per email: when the
  server itself fails, every waiting email is postponed by SERVER_PAUSE.

Workers claim rows with ``SELECT ... FOR UPDATE SKIP LOCKED``, so any number of drains
can run side by side without sending a row twice. Urgent rows (alerts that someone may
be at risk) are claimed first.
"""

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.mail.models import OutboxEmail

URGENT = OutboxEmail.Priority.URGENT

logger = logging.getLogger(__name__)

# A message that failed waits 1, 2, 4, 8... minutes before its next attempt.
RETRY_BASE = timedelta(minutes=1)
# When the mail server itself fails (no answer, refused connection), the drain stops and
# tries again this much later: a dead server costs a worker one timeout per pause, and
# the other tasks keep flowing meanwhile.
SERVER_PAUSE = timedelta(minutes=1)
# A drain hands its worker back after this long, so a long queue of mail never holds
# other tasks back; it queues a follow-up for the rest.
DRAIN_BUDGET_SECONDS = 20
# Finished rows (sent, dropped, failed) hold no text; they are kept this long for the
# record, then deleted.
KEEP_FINISHED = timedelta(days=30)

# Errors that speak about one message (a refused address, rejected data); anything else
# from the mail server means the server itself is in trouble.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def queue_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    headers: dict | None = None,
    recipient=None,
    notification_id: int | None = None,
    priority: int = OutboxEmail.Priority.NORMAL,
    key: str = "",
) -> None:
    """Put one email in the outbox, as part of the current transaction.

    It goes out after the transaction commits (and never if it rolls back). ``recipient``
    is the member it is for, when there is one: the outbox checks at send time that they
    may still receive it (``still_deliverable``); without it, the addresses are looked
    up. An email announcing a notification (``notification_id``) goes only if the member
    may still see what it announces. A ``key`` makes queueing idempotent: a second email with the same key is ignored.

    Emails must never carry post text unless the member asked for it (they show on lock
    screens); callers build ``body`` with that in mind.
    """
    key = key or uuid.uuid4().hex
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                key=key,
                recipient=recipient,
                notification_id=notification_id,
                to=list(to),
                subject=subject,
                body=body,
                html=html,
                headers=headers or {},
                priority=priority,
                next_attempt_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(partial(_start_delivery, key=key))


def _start_delivery(run_after=None, key: str = "") -> None:
    """Ask a worker to drain the outbox (after the commit that queued ``key``). However
    many emails a transaction queued, one drain lands in the queue: none is added while
    one is waiting. If the process dies before it can ask, the workers' periodic sweep
    (``ensure_delivery_scheduled``) notices the rows. Where tasks run at once (development,
    tests), just this email is sent, as its own task would."""
    try:
        if not deliver_outbox.get_backend().supports_defer:
            deliver_outbox.enqueue(key=key)
            return
        if run_after is None and _drain_waiting():
            return  # it will find these emails too: one drain in the queue is enough
        task = deliver_outbox.using(run_after=run_after) if run_after else deliver_outbox
        task.enqueue()
    except Exception:  # The rows are safe in the outbox; the sweep will start a drain.
        logger.exception("could not queue an outbox drain; the sweep will")


def _drain_waiting() -> bool:
    """Whether a drain is queued and due (only the database backend keeps a queue)."""
    if not deliver_outbox.get_backend().supports_defer:
        return False
    return DBTaskResult.objects.ready().filter(task_path__in=DRAIN_TASK_PATHS).exists()


# Rules of other domains that may stop a queued email just before it goes; each domain
# registers its own (community/apps.py), so the outbox imports none of them.
_delivery_checks: list[Callable[[OutboxEmail], bool]] = []


def add_delivery_check(check: Callable[[OutboxEmail], bool]) -> None:
    if check not in _delivery_checks:
        _delivery_checks.append(check)


def still_deliverable(row: OutboxEmail) -> bool:
    """Whether this email may still go to whom it is addressed, asked just before sending.

    The recipient may have been deactivated or suspended since it was queued, or may no
    longer see what a notification email announces (removed, left the group: a check
    that community.notifications registers, see ``add_delivery_check``). Without a recipient member, every
    account behind the addresses must be in good standing (an address with no account,
    such as a sign-up being confirmed, may receive mail).
    """
    if not all(check(row) for check in _delivery_checks):
        return False
    users = get_user_model().objects
    if row.recipient_id is not None:
        users = users.filter(pk=row.recipient_id)
        if not users.exists():
            return False
    else:
        matches = Q()
        for address in row.to:
            matches |= Q(email__iexact=address)
        users = users.filter(matches) if row.to else users.none()
    return all(user.is_active and not user.suspension_in_force() for user in users)


def deliver_due(*, budget_seconds: float = DRAIN_BUDGET_SECONDS, key: str = "") -> dict[str, int]:
    """Send due emails (or only the one with ``key``) one by one until none is due, the
    budget is spent, or the mail server fails; then ask for a follow-up drain if anything
    is still waiting."""
    deadline = time.monotonic() + budget_seconds
    outcomes = {"sent": 0, "dropped": 0, "retry": 0, "failed": 0}
    server_failed = False
    while time.monotonic() < deadline:
        outcome = deliver_one(key=key)
        if outcome is None:
            break
        if outcome == "server_down":
            server_failed = True
            outcomes["retry"] += 1
            break
        outcomes[outcome] += 1
    _schedule_follow_up(server_failed=server_failed)
    return outcomes


# Mail has a queue of its own, so that a slow or silent mail server never holds up the
# other tasks (announcements, exports) when workers are split by queue (docs/deploy.md).
MAIL_QUEUE = "email"


@task(queue_name=MAIL_QUEUE)
def deliver_outbox(*, key: str = "") -> dict[str, int]:
    """Send what is due in the outbox, or only the email with ``key``."""
    return deliver_due(key=key)


# Where a queued drain is found: here, and at its old path (community/mail/tasks.py) for
# drains queued before the move, until the next release.
DRAIN_TASK_PATHS = (deliver_outbox.module_path, "community.mail.tasks.deliver_outbox")


def deliver_one(*, key: str = "") -> str | None:
    """Claim the most urgent due email (or the one with ``key``) and send it; None when
    nothing is due.

    The row stays locked while the mail server is spoken to, and is marked sent in the
    same transaction: a worker killed before the commit leaves it pending for another.
    """
    now = timezone.now()
    due = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
    if key:
        due = due.filter(key=key)
    with transaction.atomic():
        row = due.select_for_update(skip_locked=True).order_by("-priority", "next_attempt_at", "pk").first()
        if row is None:
            return None
        if not still_deliverable(row):
            _finish(row, OutboxEmail.Status.DROPPED)
            logger.info("email dropped: recipient may no longer receive it")
            return "dropped"
        try:
            _message(row).send()
        except MESSAGE_ERRORS as error:
            return _failed(row, error)
        except (smtplib.SMTPException, OSError) as error:
            # OSError covers timeouts and refused connections. The server itself is in
            # trouble: every waiting email waits a pause, so that other drains do not each
            # spend a timeout on it meanwhile.
            _failed(row, error)
            resume = timezone.now() + SERVER_PAUSE
            waiting = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lt=resume)
            waiting.exclude(pk=row.pk).update(next_attempt_at=resume)
            return "server_down"
        row.attempts += 1
        _finish(row, OutboxEmail.Status.SENT)
    # Never the address or the text: only that a message went out.
    logger.info("email sent priority=%d attempt=%d", row.priority, row.attempts)
    return "sent"


def _message(row: OutboxEmail) -> EmailMultiAlternatives:
    # The Message-ID comes from the row's key, so the one message a crash sends twice goes
    # out twice with the same id, which mail systems use to drop the copy.
    message_id = f"<{row.key}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=row.to,
        headers={"Message-ID": message_id, **row.headers},
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def _finish(row: OutboxEmail, status: str) -> None:
    """Record the outcome and forget what the message said and to whom."""
    row.status = status
    row.finished_at = timezone.now()
    row.to, row.subject, row.body, row.html, row.headers = [], "", "", "", {}
    row.save()


def _failed(row: OutboxEmail, error: Exception) -> str:
    row.attempts += 1
    # Only the kind of error: SMTP errors can quote the addresses they refused.
    row.last_error = type(error).__name__
    if row.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        row.save(update_fields=["attempts", "last_error"])
        _finish(row, OutboxEmail.Status.FAILED)
        logger.error("email given up attempts=%d error=%s", row.attempts, row.last_error)
        return "failed"
    row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
    row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning("email send failed attempt=%d error=%s", row.attempts, row.last_error)
    return "retry"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after failed attempt number ``attempts`` (1-based)."""
    return RETRY_BASE * 2 ** (attempts - 1)


def _schedule_follow_up(*, server_failed: bool) -> None:
    """Queue the next drain at the time the next waiting email is due (not before the
    pause, if the server just failed). Only backends that can defer tasks do this; the
    immediate backend of development and tests sends at queue time."""
    if not deliver_outbox.get_backend().supports_defer:
        return
    run_after = (
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if run_after is None:
        return
    if server_failed:
        run_after = max(run_after, timezone.now() + SERVER_PAUSE)
    # A drain already queued for about then (a few seconds' slack) will do.
    already = DBTaskResult.objects.filter(
        task_path__in=DRAIN_TASK_PATHS, status=TaskResultStatus.READY, run_after__lte=run_after + timedelta(seconds=5)
    )
    if not already.exists():
        _start_delivery(run_after=run_after)


def ensure_delivery_scheduled() -> bool:
    """The sweep: if emails are due and no drain is waiting to run, queue one. Covers a
    process that died between committing its emails and asking for a drain."""
    due = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
    if due.exists() and not DBTaskResult.objects.ready().filter(task_path__in=DRAIN_TASK_PATHS).exists():
        _start_delivery()
        return True
    return False


def prune_finished(*, now=None) -> int:
    """Delete finished rows older than KEEP_FINISHED (they hold no text, only outcomes)."""
    cutoff = (now or timezone.now()) - KEEP_FINISHED
    return OutboxEmail.objects.filter(finished_at__lt=cutoff).delete()[0]
