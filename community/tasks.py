import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(*, to: list[str], subject: str, body: str, html: str = "", headers: dict | None = None) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    # Never log the address or the text: only that a message went out.
    logger.info("email sent recipients=%d", len(to))


@task()
def send_digest_to(*, user_id: int) -> int:
    from community.notifications import send_digest

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return send_digest(user) if user else 0
