from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def meeting_time(occurrence):
    """A date's start in the viewer's zone with its abbreviation, and the organiser's
    local time beside it when the zones differ (for example "7:00 PM MST")."""
    viewer_zone = timezone.get_current_timezone()
    organiser_zone = ZoneInfo(occurrence.meeting.time_zone)
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
