from django.core.management.base import BaseCommand

from community.privacy.actions import purge_expired_exports


class Command(BaseCommand):
    help = "Delete data exports past their expiry (7 days). Run once a day."

    def handle(self, *args, **options):
        self.stdout.write(f"expired exports deleted={purge_expired_exports()}")
