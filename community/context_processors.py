from django.conf import settings

from groups.access import moderates_any_group, visible_notifications_q
from groups.moderation.queue import queue_for

CRISIS_SUPPORT_KEY = "show_crisis_support"


def site(request):
    """Site name for every page, and for members the unread notification count (one
    indexed COUNT query)."""
    context = {"SITE_NAME": settings.SITE_NAME, "SUPPORT_EMAIL": settings.SUPPORT_EMAIL}
    session = getattr(request, "session", None)
    if session is not None and CRISIS_SUPPORT_KEY in session:
        # Shown once, on the page the member lands on right after writing crisis words.
        context["show_crisis_support"] = session.pop(CRISIS_SUPPORT_KEY)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Counted with the list's own filter, so the number never counts what the list hides.
        context["unread_notifications"] = user.notifications.filter(
            visible_notifications_q(user), read_at__isnull=True
        ).count()
        context["moderation_queue_count"] = moderation_queue_count(user)
        # One number on the header's menus for what waits inside them.
        context["header_waiting"] = context["unread_notifications"] + (context["moderation_queue_count"] or 0)
    return context


def moderation_queue_count(user) -> int | None:
    """Open queue items for a moderator or staff (None for everyone else: no link)."""
    if not moderates_any_group(user):
        return None
    return queue_for(user).count()
