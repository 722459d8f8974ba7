"""Meetings for the tests that need one, with what a test does not care about filled in."""

from datetime import time, timedelta

from django.utils import timezone

from groups.meetings import schedule
from groups.meetings.actions import schedule_meeting
from groups.models import Meeting


def make_meeting(group, organiser, *, weeks: int | None = None, **fields) -> Meeting:
    """An online "Evening circle" at 19:00 UTC in two days, for an hour, once; any field
    may be given. ``weeks=N``: weekly instead, N dates, the rule built from the meeting's
    own first date, start time and zone."""
    fields = {
        "title": "Evening circle",
        "kind": "online",
        "video_url": "https://video.example.org/room",
        "time_zone": "UTC",
        "starts_on": (timezone.now() + timedelta(days=2)).date(),
        "start_time": time(19, 0),
        "duration_minutes": 60,
        "rrule": "",
        **fields,
    }
    if weeks is not None:
        fields["rrule"] = schedule.build_rule(
            frequency="weekly",
            starts_on=fields["starts_on"],
            start_time=fields["start_time"],
            zone=fields["time_zone"],
            count=weeks,
        )
    return schedule_meeting(organiser=organiser, group=group, **fields)


def weekly(group, organiser, *, count: int, zone: str = "America/Denver", **fields) -> Meeting:
    """The weekly evening circle most meeting tests use: 19:00 in ``zone``, 90 minutes,
    ``count`` dates."""
    return make_meeting(
        group,
        organiser,
        weeks=count,
        time_zone=zone,
        video_url="https://video.example.org/room-4821",
        duration_minutes=90,
        **fields,
    )
