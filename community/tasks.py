import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


# Retries after a refused or failed send: 1, 2, 4, 8 minutes... (EMAIL_MAX_ATTEMPTS in all).
EMAIL_RETRY_BASE_SECONDS = 60


def email_retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based)."""
    return timedelta(seconds=EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    headers: dict | None = None,
    idempotency_key: str = "",
    attempt: int = 1,
    notification_id: int | None = None,
) -> str:
    """Send one email at most once per ``idempotency_key``, retrying with backoff.

    A task run again (a worker killed after the send, a retry racing a slow server)
    finds the key marked sent and does nothing. A refused send is recorded and retried
    later where the backend can defer tasks (django-tasks-db); the action that queued it
    has long succeeded.
    """
    from community.models import EmailDelivery
    from community.notifications import still_deliverable

    if notification_id is not None and not still_deliverable(notification_id):
        logger.info("email dropped: what it announced is no longer visible to its recipient")
        return "dropped"
    delivery = None
    if idempotency_key:
        delivery, _ = EmailDelivery.objects.get_or_create(key=idempotency_key)
        if delivery.status == EmailDelivery.Status.SENT:
            logger.info("email already sent, not sending again")
            return EmailDelivery.Status.SENT
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _record_failed_send(
            delivery,
            error,
            attempt=attempt,
            retry_kwargs={
                "to": to,
                "subject": subject,
                "body": body,
                "html": html,
                "headers": headers or {},
                "idempotency_key": idempotency_key,
                "attempt": attempt + 1,
                "notification_id": notification_id,
            },
        )
    if delivery is not None:
        # Marked at once, before anything else can fail, so a rerun never sends twice.
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=EmailDelivery.Status.SENT, sent_at=timezone.now(), attempts=attempt, updated_at=timezone.now()
        )
    # Never log the address or the text: only that a message went out.
    logger.info("email sent recipients=%d", len(to))
    return EmailDelivery.Status.SENT


def _record_failed_send(delivery, error: Exception, *, attempt: int, retry_kwargs: dict) -> str:
    from community.models import EmailDelivery

    can_defer = send_email.get_backend().supports_defer
    will_retry = can_defer and attempt < settings.EMAIL_MAX_ATTEMPTS
    status = EmailDelivery.Status.RETRYING if will_retry else EmailDelivery.Status.FAILED
    if delivery is not None:
        # Only the kind of error: SMTP errors can quote the addresses they refused.
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=status, attempts=attempt, last_error=type(error).__name__, updated_at=timezone.now()
        )
    logger.warning("email send failed attempt=%d error=%s retry=%s", attempt, type(error).__name__, will_retry)
    if will_retry:
        send_email.using(run_after=timezone.now() + email_retry_delay(attempt)).enqueue(**retry_kwargs)
    return status


@task()
def send_digest_to(*, user_id: int) -> int:
    from community.notifications import send_digest

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return send_digest(user) if user else 0


@task()
def build_data_export(*, export_id: int) -> int:
    """Build and store one member's export. Safe to run twice: a finished export is left
    as it is (complete_data_export checks under a row lock)."""
    from community.actions.privacy import complete_data_export
    from community.exports import build_export_zip
    from community.models import DataExport

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return 0
    archive = build_export_zip(export.user)
    complete_data_export(export_id=export_id, archive=archive)
    logger.info("data export built bytes=%d", len(archive))
    return len(archive)
