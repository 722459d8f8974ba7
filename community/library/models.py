"""The resource library: reviewed articles with their sources, and members' suggestions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

TITLE_MAX = 150
SUMMARY_MAX = 300
BODY_MAX = 50_000
REASON_MAX = 1000

# Paths under /resources/ that are pages of their own, so no article may take these slugs.
RESERVED_ARTICLE_SLUGS = {"new", "suggest", "suggestions"}


def validate_article_slug(value: str) -> None:
    if value in RESERVED_ARTICLE_SLUGS:
        raise ValidationError("This address is reserved. Please choose another.")


class ArticleTopic(models.TextChoices):
    # Listed in the order a newcomer would read them; the index page keeps this order.
    UNDERSTANDING = "understanding", "Understanding TRD"
    TREATMENTS = "treatments", "Treatments"
    COPING = "coping", "Coping and self-care"
    TALKING = "talking-with-clinicians", "Talking with your clinician"
    SUPPORTING = "supporting-someone", "Supporting someone you love"
    CRISIS = "crisis", "Crisis help"


class Article(models.Model):
    """A reviewed resource page. Only published articles are shown to anyone but staff."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: only staff can see it"
        PUBLISHED = "published", "Published: everyone can read it"

    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_article_slug])
    topic = models.CharField(max_length=30, choices=ArticleTopic)
    summary = models.CharField(max_length=SUMMARY_MAX, help_text="One or two sentences shown on the index page.")
    body = models.TextField(max_length=BODY_MAX, help_text="Markdown. Headings start at ## (level 2).")
    order = models.PositiveSmallIntegerField(
        "reading order", default=100, help_text="Lower numbers come first on the index page."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    last_reviewed = models.DateField(null=True, blank=True)
    reviewer = models.CharField(max_length=100, blank=True, help_text="Who checked the text against its sources.")
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "title"]
        indexes = [models.Index(fields=["status", "order"], name="article_status_order_idx")]
        constraints = [
            # docs/safety.md rule 12: a published page always says when and by whom it was reviewed.
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (models.Q(last_reviewed__isnull=False) & ~models.Q(reviewer="")),
                name="article_published_is_reviewed",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:article-detail", kwargs={"article_slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleSource(models.Model):
    """A reputable origin the article's facts were checked against."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class ResourceSuggestion(models.Model):
    """A member's suggestion for the library. Staff accept it (it becomes a draft) or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted: staff are preparing a page"
        DECLINED = "declined", "Declined"

    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="resource_suggestions"
    )
    title = models.CharField(max_length=TITLE_MAX)
    url = models.URLField("link", max_length=500)
    reason = models.TextField("why it would help", max_length=REASON_MAX)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    article = models.OneToOneField(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestion")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="suggestion_status_idx"),
            models.Index(fields=["suggested_by", "status"], name="suggestion_member_idx"),
        ]

    def __str__(self):
        return self.title
