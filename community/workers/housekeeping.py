"""What workers do every minute besides running tasks: renew their heartbeat, put back
tasks of dead workers, make sure waiting email has a drain, prune old rows (sent email,
and the change logs behind kept pages: groups/posts/versions.py)."""

import logging
from datetime import timedelta

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.mail.outbox import ensure_delivery_scheduled, prune_finished
from community.workers.models import WorkerHeartbeat
from groups.posts.versions import prune_change_logs

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
# A worker not heard from for this long is presumed dead, and the tasks it was running
# are queued again. Several missed heartbeats, so that a busy machine is not mistaken
# for a dead one.
PRESUMED_DEAD_AFTER = timedelta(minutes=2)


def beat(worker_id: str, *, now=None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"last_seen": now})


def requeue_stale_tasks(*, now=None, dead_after: timedelta = PRESUMED_DEAD_AFTER) -> int:
    """Put back in the queue the tasks whose worker is presumed dead; the number put back.

    The worker running a task is the last in its ``worker_ids``. A worker is alive while
    its heartbeat is fresher than ``dead_after``; a task of a live worker is merely slow
    and is left alone however long it runs. A worker that never beat (an older version,
    or one started by hand without this command) is judged by the task's start time.
    Our tasks are idempotent, so a task that did finish its work before its worker died
    does no harm when run again.
    """
    now = now or timezone.now()
    cutoff = now - dead_after
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    stale = []
    for task_id, worker_ids, started_at in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids", "started_at"
    ):
        worker = worker_ids[-1] if worker_ids else None
        if worker in alive:
            continue
        if worker in known or started_at is None or started_at < cutoff:
            stale.append(task_id)
    count = DBTaskResult.objects.filter(pk__in=stale, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if count:
        logger.warning("stale tasks requeued count=%d", count)
    # Heartbeats of workers gone for a day are only clutter.
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    return count


def sweep(*, now=None) -> dict[str, int]:
    """The periodic round every worker makes (and ``manage.py requeue_stale_tasks``)."""
    return {
        "requeued": requeue_stale_tasks(now=now),
        "drain_queued": int(ensure_delivery_scheduled()),
        "pruned": prune_finished(now=now),
        "changes_pruned": prune_change_logs(),
    }
