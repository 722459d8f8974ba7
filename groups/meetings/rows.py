"""A row of a list of dates (home, my meetings, a group's and a meeting's pages).

The same dates are listed to every member of a group, again and again: each row's HTML is
kept in this process, keyed by every value it shows. The row's template is given those
values alone, never the objects, so it cannot show anything the key leaves out; a date
moved, renamed or cancelled, or another time zone, is another key.
"""

from functools import lru_cache

from django.template import engines
from django.utils.safestring import mark_safe

from community.core.urls import row_url
from groups.models import Meeting, Rsvp
from groups.templatetags.meeting_tags import meeting_time

KINDS = dict(Meeting.Kind.choices)
RSVP_STATUSES = dict(Rsvp.Status.choices)


def date_row(occurrence, rsvp=None, show_group: bool = False) -> str:
    """The ``<li>`` of ``occurrence``, with the member's ``rsvp`` status and, with
    ``show_group``, the group's name."""
    meeting = occurrence.meeting
    group = meeting.group
    return _row_html(
        url=row_url("groups:occurrence-detail", group.slug, occurrence.meeting_id, occurrence.pk),
        title=meeting.title,
        is_cancelled=occurrence.is_cancelled,
        is_moved=occurrence.is_moved,
        when=meeting_time(occurrence),  # in the viewer's time zone, kept per zone there
        kind=KINDS.get(meeting.kind, meeting.kind),
        group_name=group.name if show_group else "",
        rsvp_status=RSVP_STATUSES.get(rsvp.status, rsvp.status) if rsvp else "",
    )


@lru_cache(maxsize=4096)
def _row_html(**values) -> str:
    template = engines["jinja2"].get_template("groups/meetings/_occurrence_row.html")
    return mark_safe(template.render(values))  # noqa: S308 - Jinja2 escaped it
