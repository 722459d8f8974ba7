"""Posts and replies are moderated, reported, reacted to and notified about alike; the
"is it a post or a reply?" branch is answered here, once."""

from groups.posts.models import Post, Reply


def target_of(item: Post | Reply) -> dict:
    """The keyword that points a row at ``item`` (a log entry, a queue item, a report, a
    reaction): ``{"post": item}`` or ``{"reply": item}``, for ``create`` and ``filter``."""
    return {"reply": item} if isinstance(item, Reply) else {"post": item}


def thread_of(item: Post | Reply) -> Post:
    """The post itself, or the post a reply answers."""
    return item.post if isinstance(item, Reply) else item


def content_of(row) -> Post | Reply | None:
    """What a row that names a post, a reply or both (a notification, a queue item, a
    report, a log entry, a check-in) is about: the reply when it names one (its post is
    only context), else the post, else None."""
    return row.reply if row.reply_id else row.post
