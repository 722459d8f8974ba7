from django.conf import settings
from django.db import models

from community.core.urls import row_url
from groups.directory.models import Group

TITLE_MAX = 150
BODY_MAX = 10_000
WARNING_MAX = 100


class HoldReason(models.TextChoices):
    NEW_MEMBER = "new_member", "A new member's first posts are read by a moderator"
    STRICT = "strict", "Every post in this group is read by a moderator first"
    WATCHED_WORD = "watched_word", "It contains words moderators look at first"
    REPORTS = "reports", "Several members reported it"


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Waiting for review"
    REMOVED = "removed", "Removed by a moderator"
    DELETED = "deleted", "Deleted by its author"


class WrittenContent(models.Model):
    """What a post and a reply share: the words (and their rendered HTML), how they show,
    where moderation has them, and the key that makes a double submit write them once."""

    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField(editable=False)
    content_warning = models.CharField(max_length=WARNING_MAX, blank=True)
    is_anonymous = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ContentStatus, default=ContentStatus.PUBLISHED)
    hold_reason = models.CharField(max_length=16, choices=HoldReason, blank=True)
    is_risk = models.BooleanField("possible risk", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A random key each form carries: the same form sent twice (a double click) makes one.
    submission_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="%(class)s_submitted_once",
            )
        ]

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED


class Post(WrittenContent):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="posts")
    # Null once an author's account is deleted and the post kept as "Former member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts")
    title = models.CharField(max_length=TITLE_MAX)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    # Slow mode: each member may reply once per this many seconds (0 is off).
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    slow_mode_reason = models.CharField(max_length=200, blank=True)
    reply_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(db_index=False)

    class Meta(WrittenContent.Meta):
        indexes = [
            # The group's post list (keyset pages on last activity, pinned ones apart). Status
            # is not a key column: a member's list is "published, or held and mine", an OR
            # that would stop an index with status in it from giving rows in order.
            models.Index(fields=["group", "is_pinned", "-last_activity_at", "-id"], name="post_group_activity_idx"),
            # "What is new in my groups" on the home page: walk recent posts, keep the member's groups.
            models.Index(fields=["status", "-last_activity_at", "-id"], name="post_recent_activity_idx"),
            models.Index(fields=["author", "status"], name="post_author_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # Lists link many posts and replies: reversed once per group, not per row.
        return row_url("groups:post-detail", self.group.slug, self.pk)


class Reply(WrittenContent):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="replies")

    class Meta(WrittenContent.Meta):
        verbose_name_plural = "replies"
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="reply_post_order_idx"),
            models.Index(fields=["author", "status"], name="reply_author_idx"),
        ]

    def __str__(self):
        return f"Reply {self.pk} to {self.post_id}"

    def get_absolute_url(self):
        return self.post.get_absolute_url() + self.place_in_thread(self.pk)

    @staticmethod
    def place_in_thread(reply_id: int) -> str:
        """What follows the thread's address: the page that starts at this reply (threads
        show replies in pages), scrolled to it."""
        return f"?from={reply_id}#reply-{reply_id}"

    @property
    def group(self):
        return self.post.group


class Revision(models.Model):
    """The text of a post or reply before an edit; moderators read these, members see "edited"."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField(max_length=BODY_MAX)
    content_warning = models.CharField(max_length=WARNING_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, reply__isnull=True)
                | models.Q(post__isnull=True, reply__isnull=False),
                name="revision_of_post_or_reply",
            )
        ]

    def __str__(self):
        return f"Revision {self.pk}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        SUPPORT = "support", "Sending support"
        ME_TOO = "me_too", "Me too"
        THANK_YOU = "thank_you", "Thank you"
        HOPE = "hope", "Holding hope for you"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions")
    kind = models.CharField(max_length=12, choices=Kind)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post", "kind"], condition=models.Q(post__isnull=False), name="reaction_once_per_post"
            ),
            models.UniqueConstraint(
                fields=["user", "reply", "kind"],
                condition=models.Q(reply__isnull=False),
                name="reaction_once_per_reply",
            ),
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, reply__isnull=True)
                | models.Q(post__isnull=True, reply__isnull=False),
                name="reaction_on_post_or_reply",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["support", "me_too", "thank_you", "hope"]), name="reaction_kind_in_set"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class ThreadChange(models.Model):
    """A write that may have changed what a thread's replies show: a reply written, edited,
    moderated or deleted, a reaction on the post or a reply, a replier's display name. One
    row per statement and thread, inserted by the database's own triggers (migration 0010),
    never by the application, so no code path can forget it.

    A thread's version is the id of its newest row (0 before any): ids only grow and are
    never handed out twice, not even after a rollback (``groups/posts/versions.py``).
    Rows are only ever added, so writers never wait on one another here; the workers'
    sweep deletes all but each thread's newest."""

    id = models.BigAutoField(primary_key=True)
    # No foreign key: rows of a deleted post are only left for the sweep.
    post = models.ForeignKey(Post, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["post", "-id"], name="thread_change_newest_idx")]

    def __str__(self):
        return f"{self.post_id} changed ({self.pk})"


class PostListChange(models.Model):
    """What ThreadChange is to a thread, for a group's list of posts: inserted by the
    database's triggers (migration 0010) on every write to the group's posts (a new post,
    an edit, a reply's count and time, a pin, a removal), to their replies (migration
    0012: a member's kept search results show replies' words) and to their authors'
    display names."""

    id = models.BigAutoField(primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["group", "-id"], name="post_list_change_newest_idx")]

    def __str__(self):
        return f"{self.group_id} changed ({self.pk})"


class PostRead(models.Model):
    """When a member last opened a post, for unread markers in the list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="post_read_once")]

    def __str__(self):
        return f"{self.user_id} read {self.post_id}"
