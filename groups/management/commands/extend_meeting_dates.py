from django.core.management.base import BaseCommand
from django.db import transaction

from groups.meetings.actions import sync_occurrences
from groups.models import Meeting


class Command(BaseCommand):
    help = "Add the dates of recurring meetings that have come within the next year. Run daily."

    def handle(self, *args, **options):
        count = 0
        for meeting in Meeting.objects.exclude(rrule="").iterator():
            with transaction.atomic():
                sync_occurrences(meeting)
            count += 1
        self.stdout.write(f"series checked={count}")
