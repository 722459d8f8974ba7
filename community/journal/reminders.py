"""Check-in reminder emails: a sweep that sends each due reminder once.

A reminder is claimed with a conditional UPDATE on ``last_sent_at`` before its email is
queued, so overlapping runs never send it twice. The email says only that it is a
reminder the member asked for, with a link: no word about the journal's content.
Members who turned off all emails (Email notifications, or a one-click unsubscribe)
get none, and neither do suspended or inactive accounts.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community.journal.models import JournalReminder
from community.mail.member import email_member, site_url
from community.notifications.actions import unsubscribe_url

# A little under a day (or a week), so that a sweep running at a slightly different
# minute each day does not skip a day.
INTERVALS = {
    JournalReminder.Frequency.DAILY: timedelta(hours=23),
    JournalReminder.Frequency.WEEKLY: timedelta(days=6, hours=23),
}


def send_due_checkin_reminders(*, now=None) -> int:
    now = now or timezone.now()
    sent = 0
    for frequency, interval in INTERVALS.items():
        due = JournalReminder.objects.filter(
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - interval),
            frequency=frequency,
            user__is_active=True,
            user__is_suspended=False,
        ).exclude(user__email_frequency=get_user_model().EmailFrequency.NONE)
        for reminder in due.select_related("user"):
            with transaction.atomic():
                claimed = JournalReminder.objects.filter(
                    Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - interval), pk=reminder.pk
                ).update(last_sent_at=now)
                if claimed:
                    _queue_reminder(reminder.user)
                    sent += 1
    return sent


def _queue_reminder(user) -> None:
    email_member(
        user=user,
        subject="A reminder you asked for",
        template="community/emails/checkin_reminder.txt",
        context={
            "url": site_url(reverse("journal:checkin-create")),
            "settings_url": site_url(reverse("journal:reminders")),
        },
        unsubscribe_url=unsubscribe_url(user),
    )
