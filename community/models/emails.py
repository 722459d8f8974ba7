from django.db import models


class EmailDelivery(models.Model):
    """One logical email's fate, keyed by the idempotency key queue_email gave it.

    A worker killed after sending but before finishing its task runs the task again;
    the key tells it the message already went. Failures are recorded here (the error's
    kind only: SMTP errors can quote addresses) while the task retries with backoff.
    No address, subject or text is kept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Not sent yet"
        RETRYING = "retrying", "Failed, will retry"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"], name="email_delivery_status_idx")]

    def __str__(self):
        return f"Email {self.key[:8]} ({self.status})"
