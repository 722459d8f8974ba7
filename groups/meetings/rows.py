"""A row of a list of dates (home, my meetings, a group's and a meeting's pages).

The same dates are listed to every member of a group, again and again: each row's HTML is
kept in this process, keyed by every value it shows (a ``DateRow``, the member's RSVP and
their time zone). The row's template is given those values alone, never the objects, so
it cannot show anything the key leaves out; a date moved, renamed or cancelled, or another
time zone, is another key. The busiest lists read their dates as ``DateRow``s straight
from the database (groups/posts/queries.py), without building models.
"""

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.template import engines
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe

from community.core.urls import row_url
from groups.models import Meeting, Occurrence, Rsvp
from groups.templatetags.meeting_tags import meeting_time_of

KINDS = dict(Meeting.Kind.choices)
RSVP_STATUSES = dict(Rsvp.Status.choices)


class DateRow(NamedTuple):
    """What a list shows of a date, its meeting and its group."""

    occurrence_id: int
    meeting_id: int
    group_slug: str
    group_name: str
    title: str
    kind: str
    time_zone: str
    start: datetime
    end: datetime
    original_start: datetime
    is_cancelled: bool

    @classmethod
    def of(cls, occurrence: Occurrence) -> "DateRow":
        meeting = occurrence.meeting
        return cls(
            **{name: getattr(occurrence, name) for name in ("start", "end", "original_start", "is_cancelled")},
            occurrence_id=occurrence.pk,
            meeting_id=occurrence.meeting_id,
            group_slug=meeting.group.slug,
            group_name=meeting.group.name,
            title=meeting.title,
            kind=meeting.kind,
            time_zone=meeting.time_zone,
        )

    @classmethod
    def from_values(cls, row: dict, prefix: str = "") -> "DateRow":
        """From a ``values()`` row of ``VALUES`` (under ``prefix``)."""
        return cls(**{name: row[prefix + value] for name, value in VALUES.items()})


# What a date's query reads for a DateRow, relative to the date.
VALUES = {
    "occurrence_id": "id",
    "meeting_id": "meeting_id",
    "group_slug": "meeting__group__slug",
    "group_name": "meeting__group__name",
    "title": "meeting__title",
    "kind": "meeting__kind",
    "time_zone": "meeting__time_zone",
    "start": "start",
    "end": "end",
    "original_start": "original_start",
    "is_cancelled": "is_cancelled",
}


def date_row(date, rsvp_status: str = "", show_group: bool = False) -> str:
    """The ``<li>`` of ``date`` (a DateRow or an Occurrence with its meeting and group),
    with the member's RSVP status and, with ``show_group``, the group's name."""
    row = date if isinstance(date, DateRow) else DateRow.of(date)
    zone, prefix = timezone.get_current_timezone_name(), get_script_prefix()
    return _row_html(row, rsvp_status or "", bool(show_group), zone, prefix)


def date_rows(rows, show_group: bool = False) -> str:
    """The ``<li>``s of a whole list: ``rows`` are dates (DateRows or Occurrences with their
    meeting and group) or (date, RSVP status) pairs. The list's HTML is kept in this
    process too, keyed by all its rows, their statuses and the time zone: my meetings and
    home show the same list on every visit."""
    listed = tuple(_with_status(row) for row in rows)
    return _rows_html(listed, bool(show_group), timezone.get_current_timezone_name(), get_script_prefix())


def _with_status(row) -> tuple[DateRow, str]:
    date, status = (row, "") if isinstance(row, (DateRow, Occurrence)) else row
    return (date if isinstance(date, DateRow) else DateRow.of(date)), status or ""


@lru_cache(maxsize=64)
def _rows_html(listed: tuple, show_group: bool, zone_name: str, script_prefix: str) -> str:
    # script_prefix is part of the key: the rows link to the site's own addresses.
    rows = (_row_html(row, status, show_group, zone_name, script_prefix) for row, status in listed)
    return mark_safe("\n".join(rows))  # noqa: S308 - each row escaped by Jinja2


@lru_cache(maxsize=4096)
def _row_html(row: DateRow, rsvp_status: str, show_group: bool, zone_name: str, script_prefix: str) -> str:
    values = {
        "url": row_url("groups:occurrence-detail", row.group_slug, row.meeting_id, row.occurrence_id),
        "title": row.title,
        "is_cancelled": row.is_cancelled,
        "is_moved": row.start != row.original_start,
        # in the viewer's time zone: zone_name is part of the key
        "when": meeting_time_of(row.start, row.end, row.kind, row.time_zone),
        "kind": KINDS.get(row.kind, row.kind),
        "group_name": row.group_name if show_group else "",
        "rsvp_status": RSVP_STATUSES.get(rsvp_status, rsvp_status),
    }
    template = engines["jinja2"].get_template("groups/meetings/_occurrence_row.html")
    return mark_safe(template.render(values))  # noqa: S308 - Jinja2 escaped it
