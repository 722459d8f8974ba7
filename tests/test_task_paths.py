"""Tasks queued before the code moved into domain packages name their old module; a
worker must still find them (one release of aliases, docs/deploy.md)."""

import pytest
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from community.mail import outbox
from community.notifications.tasks import send_digest_to
from community.privacy.actions import build_data_export
from groups.posts.tasks import announce

OLD_PATHS = {
    "community.tasks.build_data_export": build_data_export,
    "community.tasks.send_digest_to": send_digest_to,
    "community.mail.tasks.deliver_outbox": outbox.deliver_outbox,
    "groups.tasks.announce": announce,
}


@pytest.mark.parametrize(("old_path", "task"), OLD_PATHS.items())
def test_an_old_task_path_still_names_the_same_task(old_path, task):
    found = import_string(old_path)
    assert isinstance(found, Task)
    assert found is task
    # New work is queued under the new path.
    assert task.module_path != old_path


@pytest.mark.django_db
def test_a_drain_queued_at_the_old_path_counts_as_waiting(settings):
    from django_tasks_db.models import DBTaskResult

    from community.models import OutboxEmail

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    OutboxEmail.objects.create(key="k", to=["a@example.org"], subject="Hi", next_attempt_at=timezone.now())
    DBTaskResult.objects.all().delete()
    assert outbox.ensure_delivery_scheduled() is True
    DBTaskResult.objects.update(task_path="community.mail.tasks.deliver_outbox")
    # Queued before the move, still waiting: the sweep does not queue a second drain.
    assert outbox.ensure_delivery_scheduled() is False
    assert DBTaskResult.objects.count() == 1
