from django.conf import settings
from django.db import models
from django.urls import reverse

MESSAGE_MAX = 4000


class CheckIn(models.Model):
    """A private thread between one member and the moderators of one group.

    It goes with the member's account (CASCADE): it is about them. The post or reply it
    started from is kept as context while it exists.
    """

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="check_ins")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    post = models.ForeignKey("groups.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reply = models.ForeignKey("groups.Reply", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_risk = models.BooleanField("possible risk", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["group", "-last_message_at"], name="checkin_group_idx"),
            models.Index(fields=["member", "-last_message_at"], name="checkin_member_idx"),
        ]

    def __str__(self):
        return f"Check-in {self.pk} with {self.member_id}"

    def get_absolute_url(self):
        return reverse("groups:check-in-detail", kwargs={"group_slug": self.group.slug, "check_in_id": self.pk})


class CheckInMessage(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="messages")
    # Null once a moderator's account is deleted ("Former moderator").
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX)
    is_risk = models.BooleanField("possible risk", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Message {self.pk} in check-in {self.check_in_id}"
