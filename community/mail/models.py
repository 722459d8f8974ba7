from django.conf import settings
from django.db import models


class OutboxEmail(models.Model):
    """One email waiting to go, or the trace of one that went.

    Written in the same transaction as what it announces. While it waits it holds what
    the mail server needs (addresses, subject, text); once sent, dropped or given up on,
    that is cleared and only the key, the outcome and the times stay, so the table never
    becomes a copy of members' mail.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Accepted by the mail server"
        DROPPED = "dropped", "Not sent: the recipient may no longer receive it"
        FAILED = "failed", "Gave up after repeated failures"

    class Priority(models.IntegerChoices):
        NORMAL = 0, "Normal"
        # Alerts that someone may be at risk go before everything else in the queue.
        URGENT = 10, "Urgent"

    key = models.CharField(max_length=64, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The notification it announces, if any: at send time the member must still be
    # allowed to see it (a plain number, so that a deleted notification still counts).
    notification_id = models.BigIntegerField(null=True, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    priority = models.SmallIntegerField(choices=Priority, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The claim query: pending rows that are due, most urgent and oldest first.
            models.Index(
                fields=["-priority", "next_attempt_at"],
                name="outbox_email_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["finished_at"], name="outbox_email_finished_idx"),
        ]

    def __str__(self):
        return f"Email {self.key[:8]} ({self.status})"
