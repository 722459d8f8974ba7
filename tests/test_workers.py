"""Task workers: tasks of dead workers come back within minutes, slow tasks of live workers
are left alone, and a worker outlives a database outage."""

from datetime import timedelta

import pytest
from django.core.management import call_command, get_commands
from django.db import OperationalError
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.management.commands import db_worker
from community.models import WorkerHeartbeat
from community.workers import housekeeping

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


@task()
def lose_the_database() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@task()
def fail_on_its_own() -> None:
    raise ValueError("a bug in the task")


def running_task(*, worker_id: str, started_minutes_ago: float) -> DBTaskResult:
    result = lose_the_database.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=[worker_id],
    )
    return DBTaskResult.objects.get(pk=result.id)


def status_of(result: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=result.pk).status


@pytest.mark.django_db
def test_a_dead_workers_task_is_requeued_within_minutes_and_a_slow_one_is_not(settings):
    settings.TASKS = DATABASE_BACKEND
    now = timezone.now()
    housekeeping.beat("dead", now=now - timedelta(minutes=3))
    housekeeping.beat("alive", now=now - timedelta(seconds=20))
    of_dead = running_task(worker_id="dead", started_minutes_ago=3)
    # Running for an hour, but its worker beat 20 seconds ago: merely slow.
    slow = running_task(worker_id="alive", started_minutes_ago=60)
    # A worker that never beat (not run by our command): judged by the task's age.
    old_unknown = running_task(worker_id="unknown", started_minutes_ago=5)
    young_unknown = running_task(worker_id="unknown", started_minutes_ago=0.5)
    assert housekeeping.requeue_stale_tasks(now=now) == 2
    assert status_of(of_dead) == status_of(old_unknown) == TaskResultStatus.READY
    assert status_of(slow) == status_of(young_unknown) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_the_command_requeues_with_a_cutoff_of_minutes_not_half_an_hour(settings, capsys):
    settings.TASKS = DATABASE_BACKEND
    housekeeping.beat("dead", now=timezone.now() - timedelta(minutes=3))
    lost = running_task(worker_id="dead", started_minutes_ago=3)
    call_command("requeue_stale_tasks")
    assert status_of(lost) == TaskResultStatus.READY
    assert "stale tasks requeued=1" in capsys.readouterr().out


@pytest.mark.django_db
def test_heartbeats_of_workers_gone_for_a_day_are_cleared():
    housekeeping.beat("long-gone", now=timezone.now() - timedelta(days=2))
    housekeeping.requeue_stale_tasks()
    assert not WorkerHeartbeat.objects.exists()


def test_db_worker_is_our_reconnecting_command():
    assert get_commands()["db_worker"] == "community"


def worker(worker_id="w1") -> db_worker.ResilientWorker:
    return db_worker.ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@pytest.mark.django_db
def test_a_task_that_failed_only_because_the_database_went_away_runs_again(settings):
    settings.TASKS = DATABASE_BACKEND
    result = DBTaskResult.objects.get(pk=lose_the_database.enqueue().id)
    result.claim("w1")
    worker().run_task(result)
    again = DBTaskResult.objects.get(pk=result.pk)
    assert again.status == TaskResultStatus.READY
    assert again.run_after > timezone.now()
    # A task's own bug is recorded as a failure, as before.
    own = DBTaskResult.objects.get(pk=fail_on_its_own.enqueue().id)
    own.claim("w1")
    worker().run_task(own)
    assert status_of(own) == TaskResultStatus.FAILED


@pytest.mark.django_db
def test_a_worker_waits_for_the_database_with_growing_pauses_then_takes_back_its_tasks(settings, monkeypatch):
    settings.TASKS = DATABASE_BACKEND
    mine = running_task(worker_id="w1", started_minutes_ago=0)
    theirs = running_task(worker_id="w2", started_minutes_ago=0)
    pauses, answers = [], iter([OperationalError("down"), OperationalError("down"), OperationalError("down")])

    def ensure_connection():
        error = next(answers, None)
        if error:
            raise error

    monkeypatch.setattr(db_worker.time, "sleep", pauses.append)
    monkeypatch.setattr(db_worker.connection, "ensure_connection", ensure_connection)
    monkeypatch.setattr(db_worker.connection, "close", lambda: None)  # the test's transaction stays
    worker().wait_for_database(OperationalError("down"))
    assert pauses == [1, 2, 4, 8]
    assert status_of(mine) == TaskResultStatus.READY
    assert status_of(theirs) == TaskResultStatus.RUNNING


def test_a_plain_db_worker_serves_the_mail_queue_too(settings):
    from django.core.management import load_command_class

    settings.TASKS = DATABASE_BACKEND
    parser = load_command_class("community", "db_worker").create_parser("manage.py", "db_worker")
    assert parser.parse_args([]).queue_name == "default,email"
    assert parser.parse_args(["--queue-name", "email"]).queue_name == "email"
