"""Writing in a group: posts, replies, edits and deletions, and a thread's pins, lock and
slow mode (a moderator's, checked here).

Telling people about what is published is in ``announce`` (a task), reactions in
``reactions``, read markers in ``read_markers``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from community.core.errors import ActionRefused
from community.core.markdown import render_markdown
from community.core.prepared import PreparedQuery, PreparedValues, compiled
from groups.access import can_moderate, post_with_author, post_with_author_fields, why_cannot_participate
from groups.models import ContentStatus, HoldReason, Post, Reply, Revision
from groups.moderation.checks import require_moderator
from groups.moderation.intake import enter_new_content
from groups.moderation.log import Action, log, log_blocked
from groups.posts.counts import reply_status_changed
from groups.posts.screening import Screening, screen
from groups.posts.tasks import announce
from groups.settings.queries import why_slowed_down


def require_participation(user, group) -> None:
    problem = why_cannot_participate(user, group)
    if problem:
        raise ActionRefused(problem)


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
    _LOCK_AUTHOR.fetchone(author.pk)


def _author_row_for_update(user_id: int) -> tuple[str, list]:
    return compiled(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))


# Compiled once per process (community/core/prepared.py), inside the first transaction
# that takes the lock: the ORM refuses FOR UPDATE outside one.
_LOCK_AUTHOR = PreparedQuery(_author_row_for_update)


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
    require_participation(author, group)
    if is_anonymous and not group.allow_anonymous:
        raise ActionRefused("This group does not allow anonymous posts.")
    screening = _screen_or_refuse(author=author, group=group, texts=[title, body, content_warning])
    with transaction.atomic():
        _lock_author(author)
        if existing := _already_submitted(Post, author=author, submission_key=submission_key):
            return existing
        _require_within_new_account_limits(author)
        _require_group_pace(author, group)
        return _save_new(
            Post,
            screening=screening,
            hold=_hold_reason(author=author, group=group, screening=screening),
            group=group,
            author=author,
            title=title.strip(),
            body=body,
            content_warning=content_warning.strip(),
            is_anonymous=is_anonymous,
            last_activity_at=timezone.now(),
            submission_key=submission_key,
        )


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
    require_participation(author, group)
    screening = _screen_or_refuse(author=author, group=group, texts=[body, content_warning])
    with transaction.atomic():
        _lock_author(author)
        if existing := _already_submitted(Reply, author=author, submission_key=submission_key):
            return existing
        post = _locked_post(post.pk, group)
        if post is None:
            raise ActionRefused("This post is gone, so it takes no new replies.")
        if post.is_locked:
            raise ActionRefused("This post is locked, so it takes no new replies.")
        if post.status != ContentStatus.PUBLISHED:
            raise ActionRefused("You can reply once this post is published.")
        if is_anonymous and not group.allow_anonymous:
            raise ActionRefused("This group does not allow anonymous posts.")
        _require_within_new_account_limits(author)
        _require_group_pace(author, group)
        _require_slow_mode_passed(author, post)
        return _save_new(
            Reply,
            screening=screening,
            hold=_hold_reason(author=author, group=group, screening=screening),
            post=post,
            author=author,
            body=body,
            content_warning=content_warning.strip(),
            is_anonymous=is_anonymous,
            submission_key=submission_key,
        )


def _locked_post(post_id: int, group) -> Post | None:
    """The post, read again and locked (its reply count and activity change next), with
    its author; None if it was deleted meanwhile. Call inside the transaction."""
    rows = _POST_FOR_UPDATE.fetchall(post_id)
    if not rows:
        return None
    (row,) = rows
    return post_with_author(row, group)  # its group does not change


def _post_for_update(post_id: int):
    return Post.objects.select_for_update(of=("self",)).filter(pk=post_id).values(*post_with_author_fields())


# Compiled once per process, inside the first transaction that reads it.
_POST_FOR_UPDATE = PreparedValues(_post_for_update)


def _save_new(model, *, screening, hold: str, **fields) -> Post | Reply:
    """Save a new post or reply, held (``hold``: why) or published; log and queue it for
    the moderators where they must see it, and announce it once published. Call inside
    the transaction, after every check that may refuse it."""
    item = model.objects.create(
        **fields,
        body_html=render_markdown(fields["body"]),
        status=ContentStatus.HELD if hold else ContentStatus.PUBLISHED,
        hold_reason=hold,
        is_risk=screening.is_risk,
    )
    enter_new_content(item=item, group=item.group, hold_reason=hold, screening=screening)
    if not hold:
        announce_published(item)
    return item


def announce_published(item: Post | Reply) -> None:
    """What follows when a post or reply becomes visible. Called inside the action's
    transaction when it is published at once, or later when a moderator approves it.

    The reply count and the thread's activity change at once; telling people (mentions,
    followers, the thread) is a task, queued in the same transaction so that it runs only
    if the post or reply is saved, and never holds up the author's request. That relies on
    the tasks backend storing tasks in this database (django-tasks-db) or running them at
    once (immediate): a backend outside the database could run it before the commit.
    """
    if isinstance(item, Post):
        announce.enqueue(post_id=item.pk)
    else:
        # Shown for the first time (just written, or approved): counted, and the thread moves up.
        reply_status_changed(
            post_id=item.post_id, before=None, after=ContentStatus.PUBLISHED, activity_at=timezone.now()
        )
        announce.enqueue(reply_id=item.pk)


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
    require_participation(user, post.group)
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
    require_participation(user, reply.post.group)
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
    reply_status_changed(post_id=reply.post_id, before=reply.status, after=ContentStatus.DELETED)
    reply.status = ContentStatus.DELETED
    reply.save(update_fields=["status"])
    return reply


@transaction.atomic
def set_post_state(
    *,
    moderator,
    post: Post,
    pinned: bool | None = None,
    locked: bool | None = None,
    slow_mode_seconds: int | None = None,
    reason_text: str = "",
) -> Post:
    """Pin, lock or put a thread in slow mode; each change is logged."""
    post = Post.objects.select_for_update(of=("self",)).select_related("group").get(pk=post.pk)
    require_moderator(moderator, post.group)
    changes = []
    if pinned is not None and pinned != post.is_pinned:
        post.is_pinned = pinned
        changes.append(Action.PINNED if pinned else Action.UNPINNED)
    if locked is not None and locked != post.is_locked:
        post.is_locked = locked
        changes.append(Action.LOCKED if locked else Action.UNLOCKED)
    if slow_mode_seconds is not None:
        if not 0 <= slow_mode_seconds <= 86_400:
            raise ActionRefused("Slow mode can be from 0 (off) to 24 hours.")
        if slow_mode_seconds and not reason_text.strip():
            raise ActionRefused("Say why the thread is in slow mode; members will see it.")
        post.slow_mode_seconds = slow_mode_seconds
        post.slow_mode_reason = reason_text.strip() if slow_mode_seconds else ""
        changes.append(Action.SLOW_MODE)
    post.save(update_fields=["is_pinned", "is_locked", "slow_mode_seconds", "slow_mode_reason"])
    for action in changes:
        note = post.slow_mode_reason if action == Action.SLOW_MODE else ""
        if action == Action.SLOW_MODE:
            note = f"{post.slow_mode_seconds // 60} minutes: {note}" if post.slow_mode_seconds else "Slow mode off"
        log(action=action, actor=moderator, group=post.group, post=post, target_user=post.author, note=note)
    return post
