from django.tasks import task

# Mail has a queue of its own, so that a slow or silent mail server never holds up the
# other tasks (announcements, exports) when workers are split by queue (docs/deploy.md).
MAIL_QUEUE = "email"


@task(queue_name=MAIL_QUEUE)
def deliver_outbox(*, key: str = "") -> dict[str, int]:
    """Send what is due in the outbox, or only the email with ``key`` (see
    community/mail/outbox.py)."""
    from community.mail.outbox import deliver_due

    return deliver_due(key=key)
