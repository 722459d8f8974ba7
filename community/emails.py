"""Outgoing email: always through the outbox (community/mail/), and only once the
transaction that queued it commits."""

from community.mail.models import OutboxEmail
from community.mail.outbox import queue_email, still_deliverable

URGENT = OutboxEmail.Priority.URGENT

__all__ = ["URGENT", "queue_email", "still_deliverable"]
