"""Background work for groups, run by the task workers (``manage.py db_worker``)."""

from django.tasks import task

from groups.posts.announce import notify_published


@task()
def announce(*, post_id: int | None = None, reply_id: int | None = None) -> int:
    """Tell the people a newly visible post or reply concerns; the number told."""
    return notify_published(post_id=post_id, reply_id=reply_id)
