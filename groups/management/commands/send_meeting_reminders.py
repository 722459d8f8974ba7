import time

from django.core.management.base import BaseCommand

from groups.meetings.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the meeting reminders that are due. Safe to run often and from several machines at once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping every SECONDS (for a simple always-on process).",
        )

    def handle(self, *args, loop, **options):
        while True:
            sent = send_due_reminders()
            self.stdout.write(f"reminders sent={sent}")
            if not loop:
                return
            time.sleep(loop)
