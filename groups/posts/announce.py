"""Telling people about a post or reply that has just become visible: mentions, the
group's close followers, the post's author and the thread's earlier repliers.

It runs as a task (``groups.posts.tasks.announce``), queued by ``announce_published`` in
``groups.posts.actions`` when something is published or approved.
"""

import re

from django.contrib.auth import get_user_model
from django.db import transaction

from community.models import Notification
from community.notifications.actions import notify
from groups.access import members_who_blocked
from groups.models import ContentStatus, Membership, Post, Reply

ANNOUNCEMENT_KINDS = {
    "post": [Notification.Kind.MENTION, Notification.Kind.NEW_POST],
    "reply": [Notification.Kind.MENTION, Notification.Kind.REPLY_TO_POST, Notification.Kind.REPLY_IN_THREAD],
}


def notify_published(*, post_id: int | None = None, reply_id: int | None = None) -> int:
    """Notify the people a visible post or reply concerns; the number notified.

    Nothing happens if it (or a reply's post) is no longer published (deleted or removed
    before the task ran) or if its notifications exist already: a task run twice (a worker killed after its
    work, then requeued) tells nobody twice. The row lock keeps two runs from racing.
    """
    with transaction.atomic():
        if reply_id is not None:
            item = (
                Reply.objects.select_for_update(of=("self",))
                .select_related("post__group", "post__author", "author")
                .filter(pk=reply_id, status=ContentStatus.PUBLISHED, post__status=ContentStatus.PUBLISHED)
                .first()
            )
            already = Notification.objects.filter(reply=item, kind__in=ANNOUNCEMENT_KINDS["reply"])
        else:
            item = (
                Post.objects.select_for_update(of=("self",))
                .select_related("group", "author")
                .filter(pk=post_id, status=ContentStatus.PUBLISHED)
                .first()
            )
            already = Notification.objects.filter(post=item, reply=None, kind__in=ANNOUNCEMENT_KINDS["post"])
        if item is None or already.exists():
            return 0
        return len(_announce_post(item) if reply_id is None else _announce_reply(item))


def _announce_post(post: Post) -> list:
    group, author = post.group, post.author
    followers = [
        m.user
        for m in Membership.objects.filter(group=group, status=Membership.Status.ACTIVE, follows_closely=True)
        .exclude(user=author)
        .exclude(user__in=members_who_blocked(author))
        .select_related("user")
    ]
    mentioned = mentioned_members(text=post.body, group=group, author=author)
    return [
        *notify(recipients=mentioned, kind=Notification.Kind.MENTION, group=group, post=post),
        *notify(
            recipients=[u for u in followers if u not in mentioned],
            kind=Notification.Kind.NEW_POST,
            group=group,
            post=post,
        ),
    ]


def _announce_reply(reply: Reply) -> list:
    post = reply.post
    group, author = post.group, reply.author
    mentioned = mentioned_members(text=reply.body, group=group, author=author)
    # Each earlier replier once, however long the thread.
    earlier_repliers = set(
        get_user_model().objects.filter(
            pk__in=post.replies.filter(status=ContentStatus.PUBLISHED, author__isnull=False)
            .exclude(author_id=reply.author_id)
            .values("author_id")
        )
    )
    readers = set(_active_members(group, [u.pk for u in earlier_repliers] + [post.author_id]))
    post_author = [post.author] if post.author and post.author != author and post.author_id in readers else []
    return [
        *notify(recipients=mentioned, kind=Notification.Kind.MENTION, group=group, post=post, reply=reply),
        *notify(
            recipients=[u for u in post_author if u not in mentioned],
            kind=Notification.Kind.REPLY_TO_POST,
            group=group,
            post=post,
            reply=reply,
        ),
        *notify(
            recipients=[u for u in earlier_repliers if u.pk in readers and u not in mentioned and u not in post_author],
            kind=Notification.Kind.REPLY_IN_THREAD,
            group=group,
            post=post,
            reply=reply,
        ),
    ]


def mentioned_members(*, text: str, group, author) -> list:
    """Active members of ``group`` whose display name follows an @ in ``text``.

    Only the group's members can be mentioned, so nobody can be pinged into a group
    they are not part of, nor anyone who blocked the author (silently: the mention is
    plain text to everyone); the longest name wins where names share a beginning.
    """
    if "@" not in text:
        return []
    lowered = text.casefold()
    members = (
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
        .exclude(user=author)
        .exclude(user__in=members_who_blocked(author))
        .select_related("user")
    )
    found = []
    for membership in sorted(members, key=lambda m: -len(m.user.display_name)):
        name = membership.user.display_name.casefold()
        if re.search(r"(?<![\w@])@" + re.escape(name) + r"(?!\w)", lowered):
            found.append(membership.user)
    return found


def _active_members(group, user_ids) -> list[int]:
    """Of ``user_ids``, those still active in ``group`` (people who left get no news from it)."""
    return list(
        Membership.objects.filter(group=group, user_id__in=user_ids, status=Membership.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
