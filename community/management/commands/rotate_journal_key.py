from django.core.management.base import BaseCommand

from community.journal.rotation import rotate_journal_encryption


class Command(BaseCommand):
    help = (
        "Re-encrypt every journal value with the first key of JOURNAL_ENCRYPTION_KEYS, "
        "so that older keys can then be removed. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = rotate_journal_encryption()
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS("Done. Older keys can now be removed from JOURNAL_ENCRYPTION_KEYS."))
