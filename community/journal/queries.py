"""Reads of a member's journal, each one query with what its pages need, so that a page
costs the same number of queries however long the journal is."""

from collections import defaultdict
from datetime import date, timedelta
from statistics import mean

from django.db.models import Count

from community.journal.models import (
    QUESTIONNAIRE_MAX,
    JournalCheckIn,
    JournalQuestion,
    JournalSession,
    JournalShareLink,
    JournalTreatment,
    Questionnaire,
)

SCALES = ["mood", "sleep", "energy", "anxiety"]


def treatments_for(user):
    """The member's treatments in the order they started, each with ``session_count``."""
    return (
        JournalTreatment.objects.filter(user=user)
        .annotate(session_count=Count("sessions"))
        .order_by("started_on", "id")
    )


def sessions_for(treatment):
    return JournalSession.objects.filter(treatment=treatment, user_id=treatment.user_id).order_by("date", "id")


def checkins_for(user, *, since: date | None = None):
    checkins = JournalCheckIn.objects.filter(user=user)
    if since is not None:
        checkins = checkins.filter(date__gte=since)
    return checkins.order_by("date", "id")


def questions_for(user):
    return JournalQuestion.objects.filter(user=user).order_by("done_at", "created_at", "id")


def share_links_for(user):
    """The member's links with how often each was opened and the opens themselves."""
    return (
        JournalShareLink.objects.filter(user=user)
        .annotate(open_count=Count("opens"))
        .prefetch_related("opens")
        .order_by("-created_at", "-id")
    )


def _bucket(day: date, step: str) -> date:
    if step == "week":
        return day - timedelta(days=day.weekday())
    if step == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def trend_step(first: date, today: date) -> str:
    """Weeks for up to three months of check-ins, months up to a year, then quarters, so
    that the trend stays a short table that fits the one page."""
    days = (today - first).days
    return "week" if days <= 91 else "month" if days <= 400 else "quarter"


def checkin_trend(checkins, *, step: str) -> list[dict]:
    """Averages of each scale per week, month or quarter, oldest first: the member's own
    numbers, summed up, with no judgement added."""
    buckets = defaultdict(list)
    for checkin in checkins:
        buckets[_bucket(checkin.date, step)].append(checkin)
    rows = []
    for start in sorted(buckets):
        group = buckets[start]
        row = {"start": start, "count": len(group)}
        for scale in SCALES:
            values = [getattr(c, scale) for c in group if getattr(c, scale) is not None]
            row[scale] = round(mean(values), 1) if values else None
        rows.append(row)
    return rows


def questionnaire_scores(checkins) -> list[dict]:
    labels = dict(Questionnaire.choices)
    return [
        {
            "date": c.date,
            "name": labels.get(c.questionnaire, c.questionnaire),
            "score": c.questionnaire_score,
            "max": QUESTIONNAIRE_MAX.get(c.questionnaire, 100),
        }
        for c in checkins
        if c.questionnaire and c.questionnaire_score is not None
    ]


def summary_for(user, *, period_days: int | None, today: date) -> dict:
    """Everything the clinician summary shows, in three queries."""
    since = today - timedelta(days=period_days) if period_days else None
    checkins = list(checkins_for(user, since=since))
    first = since or (checkins[0].date if checkins else today)
    step = trend_step(checkins[0].date if checkins else today, today)
    return {
        "since": since,
        "first": first,
        "today": today,
        "period_days": period_days,
        "treatments": list(treatments_for(user)),
        "checkin_count": len(checkins),
        "trend": checkin_trend(checkins, step=step),
        "step": step,
        "scores": questionnaire_scores(checkins),
        "questions": [q for q in questions_for(user) if q.done_at is None],
    }


def line_to_copy(treatment, *, session_count: int, today: date) -> str:
    """A short line a member may copy into a group post on purpose (for example "Week 4 of
    TMS"): the treatment's name and where they are in it, nothing else from the journal."""
    if treatment.has_sessions and session_count:
        return f"Session {session_count} of {treatment.name}"
    if treatment.ended_on is None:
        weeks = max(1, (today - treatment.started_on).days // 7 + 1)
        return f"Week {weeks} of {treatment.name}"
    return f"{treatment.name}, {treatment.started_on:%B %Y} to {treatment.ended_on:%B %Y}"
