from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Topic(models.Model):
    """A subject groups gather around ("Living with TRD", "TMS", ...); staff edit the list."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# Paths under /groups/ that are pages of their own, so no group may take these slugs.
RESERVED_SLUGS = {"mine", "propose", "proposals", "invite", "new", "meetings", "calendar"}


def validate_group_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError("This address is reserved. Please choose another.")


class Group(models.Model):
    class Format(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        BOTH = "both", "Online and in person"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: join after accepting the rules"
        REQUEST = "request", "Request: moderators approve each request"
        INVITE = "invite", "Invite only"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_group_slug])
    description = models.CharField(max_length=200, help_text="One or two sentences shown in the directory.")
    about = models.TextField(max_length=5000, blank=True, help_text="Markdown.")
    rules = models.TextField(max_length=5000, help_text="Markdown. Members accept these when they join.")
    topics = models.ManyToManyField(Topic, related_name="groups", blank=True)
    format = models.CharField(max_length=10, choices=Format, default=Format.ONLINE)
    city = models.CharField(max_length=80, blank=True, help_text="For in-person groups.")
    region = models.CharField(max_length=80, blank=True, help_text="State, province or region.")
    join_policy = models.CharField(max_length=10, choices=JoinPolicy, default=JoinPolicy.OPEN)
    is_listed = models.BooleanField(
        "listed in the directory", default=True, help_text="Unlisted groups are reachable only by invite."
    )
    allow_anonymous = models.BooleanField(
        "allow anonymous posts", default=True, help_text="Moderators and staff still see who wrote them."
    )
    hold_first_posts = models.PositiveSmallIntegerField(
        "hold new members' first posts",
        default=1,
        help_text="How many of a new member's first posts and replies a moderator reads before others see them. "
        "0 turns this off.",
    )
    hold_all = models.BooleanField(
        "hold every post", default=False, help_text="A strict group: moderators read every post and reply first."
    )
    # Slow mode for the whole group: each member may post or reply once per this many
    # seconds (0 is off). A thread's own slow mode still applies within it.
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    # When the rules last changed, so members who accepted older rules see "rules updated".
    rules_updated_at = models.DateTimeField(null=True, blank=True)
    # Counted by the membership actions, so the directory never counts rows per group.
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="group_name_ci_unique")]
        indexes = [models.Index(fields=["is_listed", "name"], name="group_listed_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:group-detail", kwargs={"group_slug": self.slug})

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.region) if part)


class JoinQuestion(models.Model):
    """Up to three questions a request-policy group asks before approving someone."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class GroupProposal(models.Model):
    """A member's proposal for a new group; staff approve (the proposer becomes owner) or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_proposals")
    name = models.CharField(max_length=80)
    purpose = models.TextField(max_length=1000)
    reason = models.TextField("why it is needed", max_length=1000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(max_length=1000, blank=True)
    group = models.OneToOneField(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="proposal_status_idx")]

    def __str__(self):
        return self.name
