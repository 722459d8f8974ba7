import time

from django.core.management.base import BaseCommand

from community.journal.reminders import send_due_checkin_reminders


class Command(BaseCommand):
    help = "Email the check-in reminders members asked for. Safe to run often and from several machines at once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Keep running, sweeping every SECONDS."
        )

    def handle(self, *args, loop, **options):
        while True:
            sent = send_due_checkin_reminders()
            self.stdout.write(f"check-in reminders sent={sent}")
            if not loop:
                return
            time.sleep(loop)
