from datetime import timedelta

from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Put tasks whose worker died mid-run (still RUNNING after --minutes) back in the queue. "
        "Run every few minutes (cron); our tasks are idempotent, so a second run does no harm."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=int, default=30, help="How long a task may run before it is presumed lost."
        )

    def handle(self, *args, minutes, **options):
        cutoff = timezone.now() - timedelta(minutes=minutes)
        count = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
            status=TaskResultStatus.READY, started_at=None
        )
        self.stdout.write(f"stale tasks requeued={count}")
