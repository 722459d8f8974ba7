from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from groups.moderation.models import WatchedWord


class GroupWatchedWord(models.Model):
    """A word or phrase one group's moderators want to catch, on top of the site's list."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="watched_words")
    phrase = models.CharField(max_length=100, help_text="Matched as whole words, ignoring case.")
    action = models.CharField(max_length=8, choices=WatchedWord.Action, default=WatchedWord.Action.HOLD)
    message = models.CharField(
        max_length=300, blank=True, help_text="For blocked words: what the author is told (kindly)."
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint("group", Lower("phrase"), name="group_watched_word_unique"),
        ]

    def __str__(self):
        return self.phrase


class RulesRevision(models.Model):
    """One change of a group's rules, both texts kept, so members can see what changed."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="rules_revisions")
    old_rules = models.TextField()
    new_rules = models.TextField()
    summary = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "-created_at"], name="rules_revision_group_idx")]

    def __str__(self):
        return f"Rules of {self.group_id} on {self.created_at:%Y-%m-%d}"
