from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from community.core.text import display_name_problem

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def validate_display_name(value: str) -> None:
    problem = display_name_problem(value)
    if problem:
        raise ValidationError(problem)


class MemberManager(UserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("display_name", "Site staff")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member. Other members only ever see ``display_name``, never the email."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=30,
        validators=[validate_display_name],
        help_text="The name other members see. It does not need to be your real name.",
    )
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=settings.TIME_ZONE,
        help_text="Every time on the site is shown in this zone.",
    )
    about = models.TextField(
        "about me", max_length=500, blank=True, help_text="Optional. Shown to members of your groups."
    )

    class EmailFrequency(models.TextChoices):
        EACH = "each", "An email for each notification"
        DAILY = "daily", "One daily digest"
        NONE = "none", "No notification emails"

    email_frequency = models.CharField(
        "notification emails", max_length=8, choices=EmailFrequency, default=EmailFrequency.DAILY
    )
    email_excerpts = models.BooleanField(
        "include excerpts of posts in emails",
        default=False,
        help_text="Off by default: emails can show on a lock screen where others may read them.",
    )

    class Reminders(models.TextChoices):
        BOTH = "both", "A day before and an hour before"
        DAY = "day", "A day before"
        HOUR = "hour", "An hour before"
        NONE = "none", "No reminders"

    meeting_reminders = models.CharField(
        "meeting reminder emails", max_length=4, choices=Reminders, default=Reminders.BOTH
    )

    # Site staff can suspend an account for a time or for good (no end date); login is
    # refused with a page that says until when and how to appeal.
    is_suspended = models.BooleanField(default=False)
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = MemberManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="user_display_name_ci_unique"),
        ]

    def __str__(self):
        return self.display_name or f"Member {self.pk}"

    @staticmethod
    def suspended_q(prefix: str = "", now=None) -> models.Q:
        """Filter for accounts whose suspension is in force (``suspension_in_force`` as a
        list filter); ``prefix`` is the path to the user, e.g. "recipient__"."""
        return models.Q(**{f"{prefix}is_suspended": True}) & (
            models.Q(**{f"{prefix}suspended_until__isnull": True})
            | models.Q(**{f"{prefix}suspended_until__gt": now or timezone.now()})
        )

    def suspension_in_force(self, now=None) -> bool:
        if not self.is_suspended:
            return False
        return self.suspended_until is None or self.suspended_until > (now or timezone.now())

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name
