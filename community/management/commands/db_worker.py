"""``manage.py db_worker``: django-tasks-db's worker, made to outlive a database outage.

This command takes the place of the package's own (our app comes first in
INSTALLED_APPS) and accepts the same options. On top of it:

* a lost database no longer ends the process: the worker logs it once, waits with
  growing pauses (1, 2, 4 ... 30 s) and carries on when the database answers again;
* a thread renews the worker's heartbeat every few seconds, even while a long task runs,
  and once a minute does the sweep (community/workers/housekeeping.py): tasks of workers
  whose heartbeat stopped go back in the queue, waiting email gets a drain;
* a task that failed only because the database went away is queued again rather than
  recorded as failed, and so is a task this worker was running when it lost the database;
* it serves every queue of ours (``default`` and ``email``) unless ``--queue-name`` says
  otherwise.

It still exits on SIGTERM as the package's does; the deploy guide runs it under systemd
with ``Restart=always`` for anything else (docs/deploy.md).
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as PackageCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from community.workers import housekeeping

logger = logging.getLogger("community.worker")

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
SWEEP_SECONDS = 60
# A task that failed because the database went away runs again this much later.
DATABASE_RETRY_DELAY = timedelta(seconds=30)
DATABASE_ERROR_PATHS = {
    "django.db.utils.OperationalError",
    "django.db.utils.InterfaceError",
    "psycopg.OperationalError",
    "psycopg.errors.AdminShutdown",
}


class Heartbeat(threading.Thread):
    """Beats for the worker on a database connection of its own (Django's connections are
    per thread), so a long task never looks like a dead worker; sweeps once a minute."""

    def __init__(self, worker_id: str):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        last_sweep = 0.0
        while not self.stopped.is_set():
            try:
                close_old_connections()
                housekeeping.beat(self.worker_id)
                if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    housekeeping.sweep()
                    last_sweep = time.monotonic()
            except DatabaseError:
                # The main loop reports the outage; this thread just tries again.
                connection.close()
            except Exception:
                logger.exception("worker sweep failed")
            self.stopped.wait(housekeeping.HEARTBEAT_SECONDS)
        connection.close()


class ResilientWorker(Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            while self.running:
                try:
                    super().run()
                    return  # --batch or --max-tasks: the package's loop ended on purpose
                except DatabaseError as error:
                    self.wait_for_database(error)
        finally:
            heartbeat.stopped.set()

    def wait_for_database(self, error: DatabaseError) -> None:
        """Pause with growing waits until the database answers, then put back the tasks
        this worker was running when it lost it."""
        started = time.monotonic()
        logger.error(
            "worker lost the database error=%s worker_id=%s; retrying with backoff up to %ds",
            type(error).__name__,
            self.worker_id,
            BACKOFF_MAX_SECONDS,
        )
        delay = BACKOFF_FIRST_SECONDS
        while self.running:
            connection.close()
            time.sleep(delay)
            try:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DatabaseError:
                delay = min(delay * 2, BACKOFF_MAX_SECONDS)
                continue
            requeued = self.requeue_own_running_tasks()
            logger.warning(
                "worker has the database back after %.1fs; tasks requeued=%d", time.monotonic() - started, requeued
            )
            return

    def requeue_own_running_tasks(self) -> int:
        mine = [
            pk
            for pk, worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
                "id", "worker_ids"
            )
            if worker_ids and worker_ids[-1] == self.worker_id
        ]
        return DBTaskResult.objects.filter(pk__in=mine).update(status=TaskResultStatus.READY, started_at=None)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if (
            db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path in DATABASE_ERROR_PATHS
        ):
            # Not the task's fault: run it again once the database had a moment.
            DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                status=TaskResultStatus.READY, started_at=None, run_after=timezone.now() + DATABASE_RETRY_DELAY
            )
            logger.warning("task failed on a database error; queued again task=%s", db_task_result.task_path)


class Command(PackageCommand):
    help = "Run a database task worker that outlives database outages (see community/management/commands/db_worker.py)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # Every queue of ours unless told otherwise, so that a plain `db_worker` also sends
        # mail; split workers with --queue-name default and --queue-name email.
        parser.set_defaults(queue_name=",".join(settings.TASK_QUEUES))

    def handle(self, *args, **options) -> None:
        # The package's handle() builds its Worker by name; ours goes in its place, in the
        # module handle() reads it from.
        import django_tasks_db.management.commands.db_worker as package_module

        original = package_module.Worker
        package_module.Worker = ResilientWorker
        try:
            super().handle(*args, **options)
        finally:
            package_module.Worker = original
