from django.conf import settings
from django.contrib.auth import get_user_model

from community.accounts.roles import is_site_staff
from community.core import pagecache
from community.core.prepared import PreparedQuery, compiled
from community.notifications.models import Notification
from groups.access import moderating_memberships, visible_notifications_q
from groups.moderation.queue import queue_for

CRISIS_SUPPORT_KEY = "show_crisis_support"
# Kept for ten minutes at most: counts of members who stop visiting go, and a change a
# process could not announce while Redis was away is not missed for longer.
HEADER_COUNTS_SECONDS = 10 * 60


def site(request):
    """Site name for every page, and for members the header's two counts (one query)."""
    context = {"SITE_NAME": settings.SITE_NAME, "SUPPORT_EMAIL": settings.SUPPORT_EMAIL}
    session = getattr(request, "session", None)
    if session is not None and CRISIS_SUPPORT_KEY in session:
        # Shown once, on the page the member lands on right after writing crisis words.
        context["show_crisis_support"] = session.pop(CRISIS_SUPPORT_KEY)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread, waiting = header_counts(user)
        context["unread_notifications"] = unread
        context["moderation_queue_count"] = waiting
    return context


def header_counts(user) -> tuple[int, int | None]:
    """The member's unread notifications, counted with the notification list's own filter
    (so the number never counts what the list hides), and the open items in their
    moderation queue (None for someone ``moderates_any_group`` says no to: no link).

    Both are counted in one query compiled once per process: the rules are the querysets
    of ``visible_notifications_q``, ``moderating_memberships`` and ``queue_for``, built for
    a stand-in id (community/core/prepared.py). The counts are kept until the next write
    to a table that query reads (the HEADER generation, community/core/pagecache.py)."""
    staff = is_site_staff(user)
    key = f"header-counts:{user.pk}:{int(staff)}"
    return pagecache.kept_or_built(
        pagecache.HEADER, key, lambda: tuple(_HEADER_COUNTS[staff].fetchone(user.pk)), HEADER_COUNTS_SECONDS
    )


def _header_counts_sql(staff: bool):
    def build(stand_in: int) -> tuple[str, list]:
        viewer = get_user_model()(pk=stand_in, is_staff=staff, is_active=True)
        unread_sql, unread_params = compiled(
            Notification.objects.filter(visible_notifications_q(viewer), recipient=stand_in, read_at__isnull=True)
            .order_by()
            .values("pk")
        )
        queue_sql, queue_params = compiled(queue_for(viewer).order_by().values("pk"))
        # moderates_any_group: staff, or an active moderator or owner somewhere.
        if staff:
            moderates_sql, moderates_params = "TRUE", []
        else:
            moderates_sql, moderates_params = compiled(moderating_memberships(viewer).order_by().values("pk"))
            moderates_sql = f"EXISTS ({moderates_sql})"
        # Only SQL that Django compiled from the querysets above; every value is a parameter.
        sql = (
            f"SELECT (SELECT COUNT(*) FROM ({unread_sql}) AS unread), "  # noqa: S608
            f"CASE WHEN {moderates_sql} THEN (SELECT COUNT(*) FROM ({queue_sql}) AS waiting) END"
        )
        return sql, unread_params + moderates_params + queue_params

    return build


_HEADER_COUNTS = {staff: PreparedQuery(_header_counts_sql(staff)) for staff in (False, True)}
