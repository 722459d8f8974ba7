from datetime import timedelta

from django.core.management.base import BaseCommand

from community.mail.outbox import ensure_delivery_scheduled
from community.workers import housekeeping


class Command(BaseCommand):
    help = (
        "Put back in the queue the tasks of workers presumed dead (no heartbeat for --minutes), and "
        "make sure waiting email has a drain. Every worker does this once a minute by itself; the "
        "command is for a cron safety net or for use by hand. Our tasks are idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=int(housekeeping.PRESUMED_DEAD_AFTER.total_seconds() // 60),
            help="How long a worker may be silent before its running tasks are presumed lost.",
        )

    def handle(self, *args, minutes, **options):
        requeued = housekeeping.requeue_stale_tasks(dead_after=timedelta(minutes=minutes))
        drain = ensure_delivery_scheduled()
        self.stdout.write(f"stale tasks requeued={requeued} email drain queued={int(drain)}")
