"""Writing in a group: posts, replies, edits, deletions, reactions, pins and locks."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from community.core.errors import ActionRefused
from community.core.markdown import render_markdown
from community.models import Notification
from community.notifications.actions import notify
from groups.access import can_moderate, members_who_blocked, why_cannot_participate
from groups.models import ContentStatus, HoldReason, Membership, Post, PostRead, Reaction, Reply, Revision
from groups.moderation.actions import enter_new_content, log_blocked
from groups.posts.screening import Screening, screen


def _require_participation(user, group) -> None:
    problem = why_cannot_participate(user, group)
    if problem:
        raise ActionRefused(problem)


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


def _hold_reason(*, author, group, screening) -> str:
    """Why a new post or reply must wait for a moderator, or "" to publish it now.
    Moderators' own posts are not held (they would be reviewing themselves)."""
    if can_moderate(author, group):
        return ""
    if group.hold_all:
        return HoldReason.STRICT
    if screening.hold_words:
        return HoldReason.WATCHED_WORD
    if group.hold_first_posts:
        # Held until this many have been published (approved), not merely written.
        published = (
            Post.objects.filter(group=group, author=author, status=ContentStatus.PUBLISHED).count()
            + Reply.objects.filter(post__group=group, author=author, status=ContentStatus.PUBLISHED).count()
        )
        if published < group.hold_first_posts:
            return HoldReason.NEW_MEMBER
    return ""


def review_notice(*, author, group) -> str:
    """What the post and reply forms tell a member before they write, when a moderator
    will read what they send first ("" when it will be published at once)."""
    hold = _hold_reason(author=author, group=group, screening=Screening())
    if hold == HoldReason.NEW_MEMBER:
        return "Your first posts in this group are read by a moderator before others see them."
    if hold == HoldReason.STRICT:
        return "In this group a moderator reads every post and reply before others see it."
    return ""


def _screen_or_refuse(*, author, group, texts) -> Screening:
    screening = screen(*texts, group=group)
    if screening.block_message:
        log_blocked(author=author, group=group, words="Blocked by a watched word")
        raise ActionRefused(screening.block_message)
    return screening


def _lock_author(author) -> None:
    """Serialise one member's submissions (call inside the transaction): the new-account
    limit and the double-click check below then hold however many arrive at once."""
    get_user_model().objects.select_for_update().filter(pk=author.pk).first()


def _already_submitted(model, *, author, submission_key: str):
    """The item this same form made before (a double click), if any. Call after ``_lock_author``."""
    if not submission_key:
        return None
    return model.objects.filter(author=author, submission_key=submission_key).first()


def create_post(
    *,
    author,
    group,
    title: str,
    body: str,
    content_warning: str = "",
    is_anonymous: bool = False,
    submission_key: str = "",
) -> Post:
    """Publish a post, or hold it for a moderator when the group's rules say so.

    The returned post says what happened: ``status`` (published or held) and ``is_risk``
    (crisis language: the view shows the author crisis resources at once). The same form
    sent twice (``submission_key``) returns the post the first one made.
    """
    _require_participation(author, group)
    if is_anonymous and not group.allow_anonymous:
        raise ActionRefused("This group does not allow anonymous posts.")
    screening = _screen_or_refuse(author=author, group=group, texts=[title, body, content_warning])
    with transaction.atomic():
        _lock_author(author)
        if existing := _already_submitted(Post, author=author, submission_key=submission_key):
            return existing
        _require_within_new_account_limits(author)
        _require_group_pace(author, group)
        hold = _hold_reason(author=author, group=group, screening=screening)
        post = Post.objects.create(
            group=group,
            author=author,
            title=title.strip(),
            body=body,
            body_html=render_markdown(body),
            content_warning=content_warning.strip(),
            is_anonymous=is_anonymous,
            status=ContentStatus.HELD if hold else ContentStatus.PUBLISHED,
            hold_reason=hold,
            is_risk=screening.is_risk,
            last_activity_at=timezone.now(),
            submission_key=submission_key,
        )
        enter_new_content(item=post, group=group, hold_reason=hold, screening=screening)
        if not hold:
            announce_published(post)
    return post


def create_reply(
    *,
    author,
    post: Post,
    body: str,
    content_warning: str = "",
    is_anonymous: bool = False,
    submission_key: str = "",
) -> Reply:
    group = post.group
    _require_participation(author, group)
    screening = _screen_or_refuse(author=author, group=group, texts=[body, content_warning])
    with transaction.atomic():
        _lock_author(author)
        if existing := _already_submitted(Reply, author=author, submission_key=submission_key):
            return existing
        post = Post.objects.select_for_update(of=("self",)).select_related("group", "author").get(pk=post.pk)
        if post.is_locked:
            raise ActionRefused("This post is locked, so it takes no new replies.")
        if post.status != ContentStatus.PUBLISHED:
            raise ActionRefused("You can reply once this post is published.")
        if is_anonymous and not group.allow_anonymous:
            raise ActionRefused("This group does not allow anonymous posts.")
        _require_within_new_account_limits(author)
        _require_group_pace(author, group)
        _require_slow_mode_passed(author, post)
        hold = _hold_reason(author=author, group=group, screening=screening)
        reply = Reply.objects.create(
            post=post,
            author=author,
            body=body,
            body_html=render_markdown(body),
            content_warning=content_warning.strip(),
            is_anonymous=is_anonymous,
            status=ContentStatus.HELD if hold else ContentStatus.PUBLISHED,
            hold_reason=hold,
            is_risk=screening.is_risk,
            submission_key=submission_key,
        )
        enter_new_content(item=reply, group=group, hold_reason=hold, screening=screening)
        if not hold:
            announce_published(reply)
    return reply


def announce_published(item: Post | Reply) -> None:
    """What follows when a post or reply becomes visible. Called inside the action's
    transaction when it is published at once, or later when a moderator approves it.

    The reply count and the thread's activity change at once; telling people (mentions,
    followers, the thread) is a task, queued in the same transaction so that it runs only
    if the post or reply is saved, and never holds up the author's request. That relies on
    the tasks backend storing tasks in this database (django-tasks-db) or running them at
    once (immediate): a backend outside the database could run it before the commit.
    """
    from groups.posts.tasks import announce

    if isinstance(item, Post):
        announce.enqueue(post_id=item.pk)
    else:
        Post.objects.filter(pk=item.post_id).update(reply_count=F("reply_count") + 1, last_activity_at=timezone.now())
        announce.enqueue(reply_id=item.pk)


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


def _require_slow_mode_passed(author, post: Post) -> None:
    if not post.slow_mode_seconds:
        return
    last = (
        Reply.objects.filter(post=post, author=author)
        .exclude(status=ContentStatus.DELETED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return
    next_allowed = last + timedelta(seconds=post.slow_mode_seconds)
    if next_allowed > timezone.now():
        local = timezone.localtime(next_allowed)
        raise ActionRefused(
            f"This thread is in slow mode ({post.slow_mode_reason}). You can reply again at {local:%-I:%M %p %Z}."
        )


def _require_group_pace(author, group) -> None:
    """The group's slow mode (its settings). Call after ``_lock_author``, like the limit below."""
    from groups.settings.queries import why_slowed_down

    problem = why_slowed_down(author=author, group=group)
    if problem:
        raise ActionRefused(problem)


def _require_within_new_account_limits(author) -> None:
    """New accounts may post only a few items an hour, to blunt abuse. Call after
    ``_lock_author``, so that a burst of submissions cannot all pass the count at once."""
    if timezone.now() - author.date_joined >= timedelta(hours=settings.NEW_ACCOUNT_HOURS):
        return
    since = timezone.now() - timedelta(hours=1)
    recent = list(
        Post.objects.filter(author=author, created_at__gte=since).values_list("created_at", flat=True)
    ) + list(Reply.objects.filter(author=author, created_at__gte=since).values_list("created_at", flat=True))
    if len(recent) >= settings.NEW_ACCOUNT_POSTS_PER_HOUR:
        next_allowed = timezone.localtime(min(recent) + timedelta(hours=1))
        raise ActionRefused(
            "New accounts can post a few times an hour while they settle in. "
            f"You can post again at {next_allowed:%-I:%M %p %Z}."
        )


def _active_members(group, user_ids) -> list[int]:
    """Of ``user_ids``, those still active in ``group`` (people who left get no news from it)."""
    return list(
        Membership.objects.filter(group=group, user_id__in=user_ids, status=Membership.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


def _require_author(user, item) -> None:
    if item.author_id != user.pk:
        raise ActionRefused("Only the author can change this.")
    if item.status in (ContentStatus.REMOVED, ContentStatus.DELETED):
        raise ActionRefused("This can no longer be changed.")


def _screen_edit(*, item: Post | Reply, group, screening) -> None:
    """An edit is read like new words: crisis language or flagged words put the item in
    the queue again (a hold word in an edit flags it; it stays where it is)."""
    if screening.is_risk or screening.flag_words or screening.hold_words:
        item.is_risk = item.is_risk or screening.is_risk
        screening.flag_words = [*screening.flag_words, *screening.hold_words]
        screening.hold_words = []
        enter_new_content(item=item, group=group, hold_reason="", screening=screening)


def edit_post(*, user, post: Post, title: str, body: str, content_warning: str) -> Post:
    screening = _screen_or_refuse(author=user, group=post.group, texts=[title, body, content_warning])
    with transaction.atomic():
        return _edit_post(
            user=user, post=post, title=title, body=body, content_warning=content_warning, screening=screening
        )


def _edit_post(*, user, post: Post, title: str, body: str, content_warning: str, screening) -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("group").get(pk=post.pk)
    _require_author(user, post)
    _require_participation(user, post.group)
    Revision.objects.create(post=post, title=post.title, body=post.body, content_warning=post.content_warning)
    post.title = title.strip()
    post.body = body
    post.body_html = render_markdown(body)
    post.content_warning = content_warning.strip()
    post.edited_at = timezone.now()
    _screen_edit(item=post, group=post.group, screening=screening)
    post.save()
    return post


def edit_reply(*, user, reply: Reply, body: str, content_warning: str) -> Reply:
    screening = _screen_or_refuse(author=user, group=reply.post.group, texts=[body, content_warning])
    with transaction.atomic():
        return _edit_reply(user=user, reply=reply, body=body, content_warning=content_warning, screening=screening)


def _edit_reply(*, user, reply: Reply, body: str, content_warning: str, screening) -> Reply:
    reply = Reply.objects.select_for_update(of=("self",)).select_related("post__group").get(pk=reply.pk)
    _require_author(user, reply)
    _require_participation(user, reply.post.group)
    Revision.objects.create(reply=reply, body=reply.body, content_warning=reply.content_warning)
    reply.body = body
    reply.body_html = render_markdown(body)
    reply.content_warning = content_warning.strip()
    reply.edited_at = timezone.now()
    _screen_edit(item=reply, group=reply.post.group, screening=screening)
    reply.save()
    return reply


@transaction.atomic
def delete_post(*, user, post: Post) -> Post:
    """The author deletes their post: it disappears from the list, text kept for moderation
    until a retention rule or account erasure says otherwise."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != user.pk or post.status == ContentStatus.DELETED:
        raise ActionRefused("You can only delete your own posts.")
    post.status = ContentStatus.DELETED
    post.save(update_fields=["status"])
    return post


@transaction.atomic
def delete_reply(*, user, reply: Reply) -> Reply:
    """The author deletes their reply; the thread keeps a "deleted" marker in its place."""
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    if reply.author_id != user.pk or reply.status == ContentStatus.DELETED:
        raise ActionRefused("You can only delete your own replies.")
    was_published = reply.status == ContentStatus.PUBLISHED
    reply.status = ContentStatus.DELETED
    reply.save(update_fields=["status"])
    if was_published:
        Post.objects.filter(pk=reply.post_id).update(reply_count=F("reply_count") - 1)
    return reply


def toggle_reaction(*, user, kind: str, post: Post | None = None, reply: Reply | None = None) -> bool:
    """Add the reaction, or take it away if the user had it. Returns True when added."""
    if kind not in Reaction.Kind.values:
        raise ActionRefused("That reaction is not one of the choices.")
    item = post or reply
    group = post.group if post else reply.post.group
    _require_participation(user, group)
    if item.status != ContentStatus.PUBLISHED:
        raise ActionRefused("You can react once this is published.")
    target = {"post": post} if post else {"reply": reply}
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(user=user, kind=kind, **target).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(user=user, kind=kind, **target)
        except IntegrityError:
            pass  # the same reaction arrived twice at once; one row is what we want
    return True


def mark_read(*, user, post: Post, reply_ids, reached_end: bool) -> None:
    """Record what the user has just read of a thread: the notifications about the post
    itself and about the replies on the page shown, and, once they have reached the
    newest replies, the whole thread (its "new" marker in the post list). A reply meant
    for them on a later page stays unread until they get there.

    The thread's mark is one upsert, safe when two tabs race."""
    now = timezone.now()
    if reached_end:
        PostRead.objects.bulk_create(
            [PostRead(user=user, post=post, read_at=now)],
            update_conflicts=True,
            unique_fields=["user", "post"],
            update_fields=["read_at"],
        )
    Notification.objects.filter(recipient=user, post=post, read_at__isnull=True).filter(
        Q(reply__isnull=True) | Q(reply_id__in=list(reply_ids))
    ).update(read_at=now)
