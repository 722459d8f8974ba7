"""What members control about their own data: exports, blocks, and the pseudonyms that
keep the moderation log readable after an account is deleted."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def new_export_token() -> str:
    return secrets.token_urlsafe(32)


class DataExport(models.Model):
    """A zip of everything a member created and everything about them.

    The archive is kept in the database, not in MEDIA_ROOT: it is never served by the web
    server as a file, it goes with the account (CASCADE) and with expiry, and every app
    server can read it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be prepared"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    # A random name for the download address, so that export ids cannot be walked.
    token = models.CharField(max_length=64, unique=True, default=new_export_token)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    archive = models.BinaryField(editable=False, default=b"")
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Export {self.pk} ({self.status})"


class Block(models.Model):
    """``blocker`` does not want to see ``blocked``'s words or be mentioned by them.
    Neither is told; only the blocker can see or undo it."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self):
        return f"Block {self.pk}"


class ModerationLogRef(models.Model):
    """Who took part in a moderation decision, after their account was deleted.

    ModerationLog keeps the action (SET_NULL on the user); this row keeps a random
    pseudonym in place of the person, the same for every entry of that former member,
    so moderators can still see that decisions concerned one person without knowing who.
    """

    entry = models.OneToOneField("groups.ModerationLog", on_delete=models.CASCADE, related_name="former_ref")
    actor_ref = models.CharField(max_length=40, blank=True)
    target_ref = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return f"Former member reference for log entry {self.entry_id}"
