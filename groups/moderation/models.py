from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models

from groups.directory.models import Group
from groups.membership.models import Membership
from groups.posts.models import Post, Reply


class Reason(models.TextChoices):
    """Why a moderator acted: the community guidelines and docs/safety.md, in plain words.
    Members see the label; the guidelines page has an anchor for each."""

    UNKIND = "unkind", "Unkind, harassing or bullying"
    UNSAFE = "unsafe", "Unsafe content: method details, graphic self-harm or glamorising"
    NO_WARNING = "no_warning", "A hard topic without a content warning"
    MEDICAL_ADVICE = "medical_advice", "Telling others to change treatment, or misinformation about treatment"
    PRIVACY = "privacy", "Sharing someone's private details or what was said elsewhere"
    SELLING = "selling", "Selling, advertising or recruiting (spam)"
    OFF_TOPIC = "off_topic", "Not for this group"
    OTHER = "other", "Other (see the note)"


class WatchedWord(models.Model):
    """A word or phrase staff want to catch in posts and replies, with what happens then."""

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for review"
        BLOCK = "block", "Block, with a message to the author"
        FLAG = "flag", "Publish and flag for moderators"

    phrase = models.CharField(max_length=100, unique=True, help_text="Matched as whole words, ignoring case.")
    action = models.CharField(max_length=8, choices=Action, default=Action.HOLD)
    message = models.CharField(
        max_length=300, blank=True, help_text="For blocked words: what the author is told (kindly)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class CrisisPhrase(models.Model):
    """Words that suggest someone may be at risk: the author sees crisis resources at
    once and the item goes to the top of the queue as "possible risk" (docs/safety.md rule 3)."""

    phrase = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class Report(models.Model):
    class Reason(models.TextChoices):
        AT_RISK = "at_risk", "Someone may be at risk"
        HARASSMENT = "harassment", "Harassment or bullying"
        UNSAFE = "unsafe", "Unsafe content (method details, graphic self-harm)"
        MISINFORMATION = "misinformation", "Misinformation about treatment"
        SPAM = "spam", "Spam"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Acted on"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="reports")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=Reason)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=models.Q(status="open", post__isnull=False),
                name="report_open_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                condition=models.Q(status="open", reply__isnull=False),
                name="report_open_once_per_reply",
            ),
            models.UniqueConstraint(
                fields=["reporter", "group", "reported_user"],
                condition=models.Q(status="open", post__isnull=True, reply__isnull=True),
                name="report_open_once_per_member",
            ),
        ]

    def __str__(self):
        return f"Report {self.pk} ({self.reason})"


class QueueItem(models.Model):
    """One thing waiting for a moderator's decision. Every kind of work lands here, so
    that the queue is one ordered list (risk first, then age) and so that claiming and
    "already handled" work the same way for all of them."""

    class Kind(models.TextChoices):
        HELD_POST = "held_post", "Post waiting for review"
        HELD_REPLY = "held_reply", "Reply waiting for review"
        FLAGGED_POST = "flagged_post", "Flagged post"
        FLAGGED_REPLY = "flagged_reply", "Flagged reply"
        REPORT = "report", "Report"
        JOIN_REQUEST = "join_request", "Join request"
        APPEAL = "appeal", "Appeal"
        # Crisis words in something that was refused (a limit, a mute, a lock...): never
        # published, kept here for the moderators only.
        REFUSED_RISK = "refused_risk", "Crisis words in a message that was not published"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Handled"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="queue_items")
    kind = models.CharField(max_length=16, choices=Kind)
    is_risk = models.BooleanField("possible risk", default=False)
    why = models.CharField(max_length=200, blank=True, help_text="What put it here, for the moderator.")
    # For REFUSED_RISK: what the member tried to send, for the moderators' eyes only.
    kept_text = models.TextField(blank=True)
    # Who wrote it, for items that have no post or reply to point at (REFUSED_RISK).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A crisis flag a moderator passed to site staff: it shows in staff's queue too.
    escalated_at = models.DateTimeField(null=True, blank=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="queue_item")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    appeal = models.OneToOneField(
        "groups.Appeal", on_delete=models.CASCADE, null=True, blank=True, related_name="queue_item"
    )
    # An appeal goes to a different moderator where the group has one.
    not_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=6, choices=Status, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-is_risk", "created_at", "id"], name="queue_order_idx"),
            models.Index(fields=["group", "status"], name="queue_group_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} in {self.group_id}"


class ModerationLog(models.Model):
    """Append-only record of every moderation action, automatic ones included."""

    class Action(models.TextChoices):
        HELD = "held", "Held for review by a rule"
        FLAGGED_RISK = "flagged_risk", "Flagged as possible risk"
        FLAGGED_WORD = "flagged_word", "Flagged by a watched word"
        BLOCKED = "blocked", "Blocked by a watched word"
        HIDDEN_BY_REPORTS = "hidden_by_reports", "Hidden after several reports"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"
        LOCKED = "locked", "Locked"
        UNLOCKED = "unlocked", "Unlocked"
        PINNED = "pinned", "Pinned"
        UNPINNED = "unpinned", "Unpinned"
        SLOW_MODE = "slow_mode", "Slow mode changed"
        REPORT_DISMISSED = "report_dismissed", "Report dismissed"
        WARNED = "warned", "Warned"
        MUTED = "muted", "Muted"
        UNMUTED = "unmuted", "Unmuted"
        MEMBER_REMOVED = "member_removed", "Removed from the group"
        BANNED = "banned", "Banned from the group"
        SUSPENDED = "suspended", "Account suspended"
        SUSPENSION_LIFTED = "suspension_lifted", "Suspension lifted"
        JOIN_APPROVED = "join_approved", "Join request approved"
        JOIN_DECLINED = "join_declined", "Join request declined"
        ROLE_CHANGED = "role_changed", "Role changed"
        APPEALED = "appealed", "Appealed"
        APPEAL_UPHELD = "appeal_upheld", "Appeal: decision kept"
        APPEAL_GRANTED = "appeal_granted", "Appeal: decision reversed"
        CLAIMED = "claimed", "Claimed a queue item"
        CHECKED_IN = "checked_in", "Checked in with the member"
        ESCALATED = "escalated", "Passed to site staff"
        SETTINGS_CHANGED = "settings_changed", "Group settings changed"
        RULES_CHANGED = "rules_changed", "Group rules changed"
        QUESTIONS_CHANGED = "questions_changed", "Join questions changed"
        WORD_ADDED = "word_added", "Group watched word added"
        WORD_REMOVED = "word_removed", "Group watched word removed"
        CHECK_IN_STARTED = "check_in_started", "Started a check-in"
        CHECK_IN_WRITTEN = "check_in_written", "Wrote in a check-in"

    # Who acted; empty for the site's own rules. Kept as a pseudonymous reference
    # (actor_ref) if the account is later deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action)
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="log_entries")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_entries"
    )
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    check_in = models.ForeignKey(
        "groups.CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="log_entries"
    )
    reason = models.CharField(max_length=20, choices=Reason, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    # Until when a mute or suspension lasts, where the action has one.
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["group", "-created_at", "-id"], name="log_group_idx"),
            models.Index(fields=["target_user", "-created_at"], name="log_target_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once. (Account erasure clears the people
        # it points to through SET_NULL, which does not pass through save().)
        if self.pk is not None:
            raise PermissionDenied("Moderation log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Moderation log entries cannot be deleted.")

    @property
    def is_appealable(self) -> bool:
        return self.action in APPEALABLE_ACTIONS

    def _former_ref(self, field: str) -> str:
        # community.ModerationLogRef: the pseudonym left when that account was deleted.
        # Load with select_related("former_ref") in lists, or this costs a query an entry.
        try:
            return getattr(self.former_ref, field)
        except ObjectDoesNotExist:
            return ""

    @property
    def actor_label(self) -> str:
        """Who acted: their display name, a former member's pseudonym, or an automatic rule."""
        if self.actor_id:
            return self.actor.display_name
        return self._former_ref("actor_ref") or "Automatic rule"

    @property
    def target_label(self) -> str:
        if self.target_user_id:
            return self.target_user.display_name
        return self._former_ref("target_ref")


# What a member may learn about themselves (their decisions page and their data export
# follow this one list). Left out on purpose: flags by crisis phrases or watched words and
# blocked submissions (the moderators' tools), dismissed reports (they would tell a member
# that someone reported them), check-ins and escalations (the moderators' own notes), and
# claims and appeals (bookkeeping).
MEMBER_VISIBLE_ACTIONS = {
    ModerationLog.Action.HELD,
    ModerationLog.Action.HIDDEN_BY_REPORTS,
    ModerationLog.Action.APPROVED,
    ModerationLog.Action.REJECTED,
    ModerationLog.Action.REMOVED,
    ModerationLog.Action.RESTORED,
    ModerationLog.Action.LOCKED,
    ModerationLog.Action.UNLOCKED,
    ModerationLog.Action.PINNED,
    ModerationLog.Action.UNPINNED,
    ModerationLog.Action.SLOW_MODE,
    ModerationLog.Action.WARNED,
    ModerationLog.Action.MUTED,
    ModerationLog.Action.UNMUTED,
    ModerationLog.Action.MEMBER_REMOVED,
    ModerationLog.Action.BANNED,
    ModerationLog.Action.SUSPENDED,
    ModerationLog.Action.SUSPENSION_LIFTED,
    ModerationLog.Action.JOIN_APPROVED,
    ModerationLog.Action.JOIN_DECLINED,
    ModerationLog.Action.ROLE_CHANGED,
    ModerationLog.Action.APPEAL_UPHELD,
    ModerationLog.Action.APPEAL_GRANTED,
}

APPEALABLE_ACTIONS = {
    ModerationLog.Action.REJECTED,
    ModerationLog.Action.REMOVED,
    ModerationLog.Action.WARNED,
    ModerationLog.Action.MUTED,
    ModerationLog.Action.MEMBER_REMOVED,
    ModerationLog.Action.BANNED,
}


class Appeal(models.Model):
    """A member's one appeal against one decision."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        UPHELD = "upheld", "Decision kept"
        GRANTED = "granted", "Decision reversed"

    decision = models.OneToOneField(ModerationLog, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField(max_length=2000)
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    response = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Appeal of {self.decision_id}"


class ModeratorNote(models.Model):
    """Private notes about a member, for the group's moderators and staff only."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="moderator_notes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["group", "member"], name="note_group_member_idx")]

    def __str__(self):
        return f"Note on {self.member_id}"
