import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from groups.directory.models import Group


class Membership(models.Model):
    """One person's relation to one group, kept after they leave or are removed, so that
    a ban sticks and the history of who was where stays accurate."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"
        OWNER = "owner", "Owner"

    class Status(models.TextChoices):
        PENDING = "pending", "Request waiting"
        ACTIVE = "active", "Member"
        DECLINED = "declined", "Request declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        BANNED = "banned", "Banned"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    # A request's answers: [{"question": "...", "answer": "..."}], kept as asked.
    answers = models.JSONField(default=list, blank=True)
    decision_message = models.TextField(max_length=1000, blank=True)
    follows_closely = models.BooleanField(default=False, help_text="Notify me of every new post in this group.")
    # A muted member reads but cannot post, reply or react; the mute ends by itself.
    muted_until = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_one_per_group"),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(rules_accepted_at__isnull=False),
                name="membership_active_accepted_rules",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="membership_user_status_idx"),
            models.Index(fields=["group", "status", "role"], name="membership_group_status_idx"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def is_muted(self, now=None) -> bool:
        return self.muted_until is not None and self.muted_until > (now or timezone.now())

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in (self.Role.MODERATOR, self.Role.OWNER)


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


class Invite(models.Model):
    """A link moderators share; single-use or for many people, always with an expiry."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for any number of uses.")
    use_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(use_count__lte=models.F("max_uses")),
                name="invite_uses_within_limit",
            )
        ]

    def __str__(self):
        return f"Invite to {self.group}"

    def problem(self, now=None) -> str | None:
        """Why this invite cannot be used now, in words for the person holding it."""
        now = now or timezone.now()
        if self.revoked_at:
            return "This invite link has been withdrawn by the group's moderators."
        if self.expires_at <= now:
            return "This invite link has expired."
        if self.max_uses is not None and self.use_count >= self.max_uses:
            return "This invite link has already been used."
        return None
