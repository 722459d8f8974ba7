import secrets
import uuid
from zoneinfo import available_timezones

from django.conf import settings
from django.db import models
from django.urls import reverse

from groups.directory.models import Group

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


# The longest a meeting may last; queries for dates still running rely on it.
MAX_DURATION_MINUTES = 720


class Meeting(models.Model):
    """A meeting series (or a single meeting): the rule, in the organiser's time zone.

    The schedule is kept as the organiser wrote it (a local date and time in a named
    zone, plus an RFC 5545 RRULE), so that a weekly 19:00 in Denver stays 19:00 in
    Denver across daylight saving. Occurrences are expanded from it with dateutil.
    """

    class Kind(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        HYBRID = "hybrid", "Hybrid (in person and online)"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=3000, blank=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.ONLINE)
    video_url = models.URLField("video link", blank=True, help_text="Shown only to members who RSVP'd.")
    place_name = models.CharField(max_length=120, blank=True)
    address = models.CharField(max_length=250, blank=True)
    access_notes = models.CharField(max_length=500, blank=True, help_text="Step-free access, parking, buzzer...")
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES)
    starts_on = models.DateField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    # The recurrence rule without DTSTART, e.g. "FREQ=WEEKLY;INTERVAL=2;COUNT=10"; empty for once.
    rrule = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for no limit.")
    link_opens_minutes_before = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Show the link only this many minutes before the start (empty: at once)."
    )
    # Stable across edits, as calendar apps need (RFC 5545 UID and SEQUENCE).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="meeting_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1), name="meeting_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(video_url="") | models.Q(video_url__startswith="https://"),
                name="meeting_video_link_https",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("groups:meeting-detail", kwargs={"group_slug": self.group.slug, "meeting_id": self.pk})

    @property
    def is_online(self) -> bool:
        return self.kind in (self.Kind.ONLINE, self.Kind.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.kind in (self.Kind.IN_PERSON, self.Kind.HYBRID)


class Occurrence(models.Model):
    """One date of a series, stored so that RSVPs, cancellations and moves have a row to
    hold on to (and to lock when many people want the last seat)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="occurrences")
    # The start the rule gives (RFC 5545 RECURRENCE-ID); ``start`` differs once moved.
    original_start = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    is_cancelled = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True, help_text="Why it was cancelled or moved.")
    confirmed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "original_start"], name="occurrence_once_per_rule_date"),
        ]
        indexes = [
            models.Index(fields=["start"], name="occurrence_start_idx"),
            # A meeting's coming dates (the directory's "next meeting", a group's dates).
            models.Index(fields=["meeting", "start"], name="occurrence_meeting_start_idx"),
        ]

    def __str__(self):
        return f"{self.meeting} at {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse(
            "groups:occurrence-detail",
            kwargs={"group_slug": self.meeting.group.slug, "meeting_id": self.meeting_id, "occurrence_id": self.pk},
        )

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start


class Rsvp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Going"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=Status)
    # The waitlist is first come, first served: ordered by when each person asked.
    requested_at = models.DateTimeField()
    # Set once each reminder is sent, by a conditional update, so each goes exactly once.
    reminded_long_at = models.DateTimeField(null=True, blank=True)
    reminded_short_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["occurrence", "user"], name="rsvp_once_per_occurrence")]
        indexes = [
            models.Index(fields=["occurrence", "status", "requested_at"], name="rsvp_waitlist_idx"),
            models.Index(fields=["user", "status"], name="rsvp_user_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.status} for {self.occurrence_id}"


class SeriesRsvp(models.Model):
    """A member who RSVP'd to every occurrence of a series (new dates included)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="series_rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="series_rsvp_once")]

    def __str__(self):
        return f"{self.user_id} for every {self.meeting_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private calendar address; regenerating it makes the old one a 404."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.user_id}"
