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
    viewer_zone = timezone.get_current_timezone()
    organiser_zone = ZoneInfo(occurrence.meeting.time_zone)
    if occurrence.meeting.kind == "in_person":
        return _place_time_first(occurrence, place_zone=organiser_zone, viewer_zone=viewer_zone)
    mine = occurrence.start.astimezone(viewer_zone)
    end = occurrence.end.astimezone(viewer_zone)
    text = f"{mine:%a %b %-d, %Y, %-I:%M %p}–{end:%-I:%M %p %Z}"
    theirs = occurrence.start.astimezone(organiser_zone)
    if theirs.strftime("%H:%M %Z") != mine.strftime("%H:%M %Z"):
        return format_html(
            '<time datetime="{}">{}</time> <span class="meta">({} organiser\'s time)</span>',
            mine.isoformat(),
            text,
            theirs.strftime("%a %-I:%M %p %Z"),
        )
    return format_html('<time datetime="{}">{}</time>', mine.isoformat(), text)


def _place_time_first(occurrence, *, place_zone, viewer_zone):
    there = occurrence.start.astimezone(place_zone)
    end = occurrence.end.astimezone(place_zone)
    text = f"{there:%a %b %-d, %Y, %-I:%M %p}–{end:%-I:%M %p %Z}"
    mine = occurrence.start.astimezone(viewer_zone)
    if mine.strftime("%H:%M %Z") != there.strftime("%H:%M %Z"):
        return format_html(
            '<time datetime="{}">{}</time> <span class="meta">(local time there; {} your time)</span>',
            there.isoformat(),
            text,
            mine.strftime("%a %-I:%M %p %Z"),
        )
    return format_html('<time datetime="{}">{}</time>', there.isoformat(), text)
