"""Outgoing email: always through a task, and only once the transaction commits."""

import uuid
from functools import partial

from django.db import transaction

from community.tasks import send_email


def queue_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    headers: dict | None = None,
    notification_id: int | None = None,
) -> None:
    """Send an email from the task worker after the current transaction commits.

    Emails must never carry post text unless the member asked for it (they show on
    lock screens); callers build ``body`` with that in mind. Each email gets an
    idempotency key, so that a task run twice sends it once. An email announcing a
    notification (``notification_id``) is dropped at sending time if the member may no
    longer see what it announces.
    """
    transaction.on_commit(
        partial(
            send_email.enqueue,
            to=to,
            subject=subject,
            body=body,
            html=html,
            headers=headers or {},
            idempotency_key=uuid.uuid4().hex,
            notification_id=notification_id,
        )
    )
