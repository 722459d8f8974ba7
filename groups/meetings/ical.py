"""Calendar files (RFC 5545), built with the icalendar package.

A series is one VEVENT with its RRULE in the organiser's zone (TZID plus a VTIMEZONE),
cancelled dates as EXDATE, and moved dates as overrides with RECURRENCE-ID. UIDs come
from the meeting's stable UUID, so re-importing updates instead of duplicating.
The video link is written only when the person downloading has RSVP'd.
"""

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from community.core.text import plain_text
from groups.models import Meeting, Occurrence

PRODID = "-//Steady Ground//Meetings//EN"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _describe(meeting: Meeting, *, video_link: bool) -> str:
    lines = [plain_text(meeting.description)] if meeting.description else []
    if video_link and meeting.video_url:
        lines.append(f"Video link: {meeting.video_url}")
    lines.append(f"Meeting page: {settings.SITE_URL}{meeting.get_absolute_url()}")
    lines.append("Group rules apply: what is shared stays in the group, no recording, speak for yourself.")
    lines.append("This is peer support, not a crisis service. In the US, call or text 988 for help now.")
    return "\n\n".join(lines)


def _location(meeting: Meeting) -> str:
    if meeting.kind == Meeting.Kind.ONLINE:
        return "Online"
    return ", ".join(part for part in (meeting.place_name, meeting.address) if part)


def _fill(event: icalendar.Event, meeting: Meeting, *, video_link: bool) -> None:
    event.add("summary", meeting.title)
    event.add("description", _describe(meeting, video_link=video_link))
    event.add("location", _location(meeting))
    event.add("url", f"{settings.SITE_URL}{meeting.get_absolute_url()}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())


def series_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{_host()}"


def meeting_calendar(meeting: Meeting, occurrences: list[Occurrence], *, video_link: bool) -> bytes:
    """The whole series as one event with its rule and exceptions."""
    zone = ZoneInfo(meeting.time_zone)
    calendar = _calendar(meeting.title)
    master = icalendar.Event()
    master.add("uid", series_uid(meeting))
    start = datetime.combine(meeting.starts_on, meeting.start_time, tzinfo=zone)
    master.add("dtstart", start)
    master.add("duration", timedelta(minutes=meeting.duration_minutes))
    if meeting.rrule:
        master.add("rrule", icalendar.vRecur.from_ical(meeting.rrule))
        cancelled = [o.original_start.astimezone(zone) for o in occurrences if o.is_cancelled]
        if cancelled:
            master.add("exdate", cancelled)
    _fill(master, meeting, video_link=video_link)
    calendar.add_component(master)
    for occurrence in occurrences:
        if occurrence.is_moved and not occurrence.is_cancelled:
            override = icalendar.Event()
            override.add("uid", series_uid(meeting))
            override.add("recurrence-id", occurrence.original_start.astimezone(zone))
            override.add("dtstart", occurrence.start.astimezone(zone))
            override.add("dtend", occurrence.end.astimezone(zone))
            _fill(override, meeting, video_link=video_link)
            calendar.add_component(override)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# Everything personal_feed reads of each date a member RSVP'd to, as paths from the RSVP
# (with the link rule, groups/access/meetings.py video_link_in_file: status, cancelled,
# end and link_opens_minutes_before). A change to any of these must change the feed; keep
# this list in step with personal_feed and _fill.
FEED_INPUTS = (
    "status",
    "occurrence_id",
    "occurrence__original_start",
    "occurrence__start",
    "occurrence__end",
    "occurrence__is_cancelled",
    "occurrence__meeting_id",
    "occurrence__meeting__group__slug",
    "occurrence__meeting__uid",
    "occurrence__meeting__sequence",
    "occurrence__meeting__title",
    "occurrence__meeting__description",
    "occurrence__meeting__kind",
    "occurrence__meeting__place_name",
    "occurrence__meeting__address",
    "occurrence__meeting__video_url",
    "occurrence__meeting__time_zone",
    "occurrence__meeting__link_opens_minutes_before",
)


def feed_digest(name: str, inputs, *, now) -> str:
    """A fingerprint of a feed, from its name and its rows of FEED_INPUTS values: to cache
    the file under and to send as its ETag. Any change to a date, a meeting or an RSVP
    gives a new one, and so does a date ending (its video link leaves the feed then), so
    a cached feed is never stale and needs no invalidation; and the values cost a
    fraction of the model objects the file is built from."""
    end = FEED_INPUTS.index("occurrence__end")
    parts = [PRODID, name, settings.SITE_URL, [(*row, row[end] <= now) for row in inputs]]
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def feed_changes(inputs, *, now, past_days: int):
    """The moments after ``now`` when a feed of these rows of FEED_INPUTS values changes with
    time alone: a date ending (its video link leaves the file) and a date leaving the
    feed's window of ``past_days``."""
    end = FEED_INPUTS.index("occurrence__end")
    for row in inputs:
        for moment in (row[end], row[end] + timedelta(days=past_days)):
            if moment > now:
                yield moment


def _date_event(occurrence: Occurrence, *, video_link: bool) -> icalendar.Event:
    """One date as an event of its own. The UID is the same in the personal feed and in a
    single date's file, so adding both updates one event instead of making two."""
    meeting = occurrence.meeting
    zone = ZoneInfo(meeting.time_zone)
    event = icalendar.Event()
    event.add("uid", f"{meeting.uid}-{occurrence.original_start:%Y%m%dT%H%M%SZ}@{_host()}")
    event.add("dtstart", occurrence.start.astimezone(zone))
    event.add("dtend", occurrence.end.astimezone(zone))
    event.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
    _fill(event, meeting, video_link=video_link)
    return event


def occurrence_calendar(occurrence: Occurrence, *, video_link: bool) -> bytes:
    """Just this one date ("Add to calendar" on a date's page)."""
    calendar = _calendar(occurrence.meeting.title)
    calendar.add_component(_date_event(occurrence, video_link=video_link))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def personal_feed(name: str, occurrences: list[Occurrence], *, link_allowed) -> bytes:
    """One event per date the member RSVP'd to, across their groups. Cancelled dates stay
    in the feed as STATUS:CANCELLED so that calendar apps take them off."""
    calendar = _calendar(name)
    for occurrence in occurrences:
        calendar.add_component(_date_event(occurrence, video_link=link_allowed(occurrence)))
    calendar.add_missing_timezones()
    return calendar.to_ical()
