from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker's sign of life, renewed every HEARTBEAT_SECONDS by a thread of
    its own, also while a long task runs. A task left "running" by a worker whose
    heartbeat stopped is put back in the queue; a slow task of a live worker is not."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Worker {self.worker_id[:8]} last seen {self.last_seen:%H:%M:%S}"
