"""The moderation log as a CSV download, for staff (every group) and owners (their own)."""

import csv
from datetime import datetime, time, timedelta

from django.http import StreamingHttpResponse
from django.utils import timezone

from community.core.text import csv_safe

HEADER = ["when", "action", "group", "moderator", "member", "post", "reply", "reason", "note", "until"]


class _Echo:
    def write(self, value):
        return value


def date_range(start, end) -> tuple[datetime, datetime]:
    """Whole days from ``start`` to ``end`` (inclusive) in the current time zone."""
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(
        end + timedelta(days=1), time.min, tzinfo=zone
    )


def log_csv_response(entries, *, filename: str) -> StreamingHttpResponse:
    """Stream ``entries`` (a ModerationLog queryset) as CSV, with every cell safe from
    formula injection. Rows are read in chunks, so a long range does not fill memory."""
    entries = entries.select_related("actor", "group", "target_user", "former_ref").order_by("created_at", "id")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(HEADER)
        for entry in entries.iterator(chunk_size=500):
            yield writer.writerow(
                csv_safe(
                    [
                        entry.created_at.isoformat(),
                        entry.get_action_display(),
                        entry.group.name if entry.group else "",
                        entry.actor_label,
                        entry.target_label,
                        entry.post_id or "",
                        entry.reply_id or "",
                        entry.get_reason_display() if entry.reason else "",
                        entry.note,
                        entry.until.isoformat() if entry.until else "",
                    ]
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
