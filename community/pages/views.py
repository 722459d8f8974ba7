from django.db import DatabaseError
from django.shortcuts import render
from django.utils import timezone

from community.accounts.adapters import FIRST_VISIT_KEY
from community.core.pagecache import visitor_page
from community.models import CrisisLine
from community.pages.rows import recent_rows
from groups.posts.queries import home_feed, my_upcoming

# Shown when the database cannot be read or staff have switched every line off: the
# crisis page must never fail and never be empty.
FALLBACK_CRISIS_LINES = [
    {"name": "988 Suicide & Crisis Lifeline (US)", "how": "Call or text 988", "url": "https://988lifeline.org/"},
    {"name": "Crisis Text Line (US)", "how": "Text HOME to 741741", "url": "https://www.crisistextline.org/"},
    {"name": "Emergency services (US)", "how": "Call 911", "url": ""},
]


@visitor_page
def home(request):
    context = {}
    if request.user.is_authenticated:
        context["first_visit"] = request.session.get(FIRST_VISIT_KEY, False)
        group_ids, context["recent_posts"] = home_feed(request.user)
        context["recent_posts_html"] = recent_rows(context["recent_posts"])
        context["next_meetings"] = my_upcoming(request.user, after=timezone.now(), limit=5, group_ids=group_ids)
    return render(request, "community/pages/home.html", context)


def crisis(request):
    try:
        lines = list(CrisisLine.objects.filter(is_active=True))
    except DatabaseError:
        lines = []
    return render(request, "community/pages/crisis.html", {"lines": lines or FALLBACK_CRISIS_LINES})
