"""Meeting reminder emails: a sweep that finds what is due and sends each reminder once.

Each reminder is claimed with a conditional UPDATE (``... WHERE reminded_x_at IS NULL``)
before its email is queued, so two workers, or a worker that restarts halfway, can never
send the same reminder twice. Cancelled dates, people who left the group and suspended accounts are skipped.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from community.mail.member import email_member, site_url
from groups.models import Membership, Rsvp

# (field that records it, how long before the start, the preferences that want it)
LEADS = [
    ("reminded_long_at", timedelta(hours=24), {"both", "day"}),
    ("reminded_short_at", timedelta(hours=1), {"both", "hour"}),
]


def send_due_reminders(*, now=None) -> int:
    now = now or timezone.now()
    sent = 0
    for field, lead, preferences in LEADS:
        due = Rsvp.objects.filter(
            status=Rsvp.Status.CONFIRMED,
            occurrence__is_cancelled=False,
            occurrence__start__gt=now,
            occurrence__start__lte=now + lead,
            user__is_active=True,
            user__meeting_reminders__in=preferences,
            occurrence__meeting__group__memberships__user=F("user"),
            occurrence__meeting__group__memberships__status=Membership.Status.ACTIVE,
            **{f"{field}__isnull": True},
        ).exclude(get_user_model().suspended_q("user__", now=now))
        due = due.select_related("user", "occurrence", "occurrence__meeting", "occurrence__meeting__group")
        for rsvp in due:
            with transaction.atomic():
                claimed = Rsvp.objects.filter(pk=rsvp.pk, **{f"{field}__isnull": True}).update(**{field: now})
                if claimed:
                    _queue_reminder(rsvp, lead)
                    sent += 1
    return sent


def _queue_reminder(rsvp: Rsvp, lead: timedelta) -> None:
    occurrence, user = rsvp.occurrence, rsvp.user
    meeting = occurrence.meeting
    with timezone.override(user.time_zone):
        when = timezone.localtime(occurrence.start)
    when = f"{when:%A %B %-d, %-I:%M %p %Z}"
    email_member(
        user=user,
        subject=f"Reminder: {meeting.title}, {when}",
        template="groups/emails/meeting_reminder.txt",
        context={
            "title": meeting.title,
            "when": when,
            "soon": "in about an hour" if lead <= timedelta(hours=1) else "tomorrow",
            "url": site_url(occurrence.get_absolute_url()),
            "settings_url": site_url(reverse("community:notification-settings")),
        },
    )
