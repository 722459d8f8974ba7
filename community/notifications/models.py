from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something a member should know about. It points at the thing; the words are built
    when shown, after asking whether the member may still see it."""

    class Kind(models.TextChoices):
        REPLY_TO_POST = "reply_to_post", "New reply to your post"
        REPLY_IN_THREAD = "reply_in_thread", "New reply in a thread you replied to"
        MENTION = "mention", "You were mentioned"
        NEW_POST = "new_post", "New post in a group you follow"
        JOIN_APPROVED = "join_approved", "Your request to join was approved"
        JOIN_DECLINED = "join_declined", "Your request to join was declined"
        HELD = "held", "Your post is waiting for review"
        APPROVED = "approved", "Your post was approved"
        UNDER_REVIEW = "under_review", "Your post is being reviewed"
        MODERATION = "moderation", "A moderator's decision about you or your post"
        APPEAL_DECIDED = "appeal_decided", "Your appeal was decided"
        MEETING_CHANGED = "meeting_changed", "A meeting you RSVP'd to was cancelled or moved"
        WAITLIST_PROMOTED = "waitlist_promoted", "A seat opened up for you"
        CHECK_IN = "check_in", "A message from your group's moderators"
        CHECK_IN_ANSWER = "check_in_answer", "A member answered a check-in"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind)
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("groups.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reply = models.ForeignKey("groups.Reply", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Kept (pointing nowhere) if the date itself is later removed from the schedule.
    occurrence = models.ForeignKey(
        "groups.Occurrence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For check-ins: the thread (never its text; that is read on the site).
    check_in = models.ForeignKey("groups.CheckIn", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # For moderation notices: the decision, which says the rule and the note.
    decision = models.ForeignKey(
        "groups.ModerationLog", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the item went out in an email (at once or in a digest), so it goes once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient_id}"
