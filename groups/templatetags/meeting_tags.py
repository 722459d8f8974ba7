from functools import lru_cache
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def meeting_time(occurrence):
    """A date's start in the viewer's zone with its abbreviation, and the organiser's
    local time beside it when the zones differ (for example "7:00 PM MST").

    An in-person meeting happens in one place: its local time comes first (that is
    when people walk in), with the viewer's own time beside it when the zones differ."""
    meeting = occurrence.meeting
    return meeting_time_of(occurrence.start, occurrence.end, meeting.kind, meeting.time_zone)


def meeting_time_of(start, end, kind: str, organiser_zone_name: str):
    """``meeting_time`` from the date's own values."""
    return _meeting_time(start, end, kind == "in_person", organiser_zone_name, timezone.get_current_timezone())


# The same few dates are shown to every member of a group, in a few time zones; each is
# formatted once per process (a list of forty dates spent a third of its time here).
@lru_cache(maxsize=4096)
def _meeting_time(start, end, in_person: bool, organiser_zone_name: str, viewer_zone):
    organiser_zone = ZoneInfo(organiser_zone_name)
    if in_person:
        return _time_in(start, end, shown=organiser_zone, other=viewer_zone, note="local time there; {} your time")
    return _time_in(start, end, shown=viewer_zone, other=organiser_zone, note="{} organiser's time")


def _time_in(start, end, *, shown, other, note):
    """The date's start and end in the ``shown`` zone, with the start in the ``other``
    zone in a ``note`` beside it when the two clocks differ."""
    there = start.astimezone(other)
    start = start.astimezone(shown)
    end = end.astimezone(shown)
    text = f"{start:%a %b %-d, %Y, %-I:%M %p}–{end:%-I:%M %p %Z}"
    if there.strftime("%H:%M %Z") != start.strftime("%H:%M %Z"):
        return format_html(
            # ``note`` is one of the two texts above, written here (never a member's words).
            '<time datetime="{}">{}</time> <span class="meta">(' + note + ")</span>",
            start.isoformat(),
            text,
            there.strftime("%a %-I:%M %p %Z"),
        )
    return format_html('<time datetime="{}">{}</time>', start.isoformat(), text)
