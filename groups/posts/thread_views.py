"""Reading a group's posts: the post list, a thread, an edit history; and what is done to
a thread from its page: reactions, and a moderator's pin, lock and slow mode.

Writing (new posts and replies, edits, deletions) is in ``views``.
"""

import uuid
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from community.core.errors import ActionRefused, attempt
from groups.access import (
    author_label,
    can_moderate,
    can_see_history,
    get_group_for_moderator,
    get_group_for_reader,
    get_post_for_viewer,
    get_reply_for_viewer,
    is_folded,
    membership_of,
    why_cannot_participate,
)
from groups.forms import ReplyForm
from groups.models import Group, Post, Reason
from groups.moderation.forms import SlowModeForm
from groups.posts import kept_lists, kept_replies
from groups.posts.actions import review_notice, set_post_state
from groups.posts.reactions import toggle_reaction
from groups.posts.read_markers import mark_read


@login_required
def post_list(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    pinned, posts, next_cursor, rows_html = kept_lists.post_list_shown(request, group, request.GET.get("after", ""))
    return render(
        request,
        "groups/posts/post_list.html",
        {
            "group": group,
            "pinned": pinned,
            "posts": posts,
            "rows_html": rows_html,
            "next_cursor": next_cursor,
            "is_later_page": bool(request.GET.get("after")),
            "membership": membership_of(request.user, group),
            "can_moderate": can_moderate(request.user, group),
            "cannot_post": why_cannot_participate(request.user, group),
        },
    )


def thread_context(request, group, post, reply_form=None, preview=None, reader=None):
    """What the thread page shows: the post, a page of replies with their reactions, and
    the reply form (``reply_form``: one sent back with errors; ``preview``: a reply's;
    ``reader``: what ``kept_replies.post_and_reader`` read with the post)."""
    moderates = can_moderate(request.user, group)
    cannot_post = why_cannot_participate(request.user, group)
    page, replies_html, read_state = kept_replies.replies_shown(
        request, group=group, post=post, moderates=moderates, cannot_post=cannot_post, reader=reader
    )
    post.shown_author = author_label(post, viewer_moderates=moderates)
    post.folded = is_folded(post)
    return {
        "group": group,
        "post": post,
        "replies": page.replies,
        "replies_html": replies_html,
        "reply_page": page,
        "read_state": read_state,
        "can_moderate": moderates,
        "cannot_post": cannot_post,
        "review_notice": "" if cannot_post else review_notice(author=request.user, group=group),
        "reply_form_sent": reply_form is not None,
        "reply_form_html": _form_fields(reply_form) if reply_form else _empty_reply_form(group.allow_anonymous),
        "preview": preview,
        "moderation_reasons": Reason.choices,
    }


def _form_fields(form) -> str:
    return render_to_string("_form_fields.html", {"form": form})


# Where each empty form's own submission key goes (SubmitOnceMixin): no key is spelled so.
_KEY_SLOT = "submission-key-slot"


def _empty_reply_form(allow_anonymous: bool) -> str:
    """The empty reply form's fields with a new submission key: the fields are rendered
    once per process for groups with and without anonymous replies (they are the same
    for every thread), which took a tenth of a thread page's time."""
    return mark_safe(_empty_reply_form_fields(allow_anonymous).replace(_KEY_SLOT, uuid.uuid4().hex))  # noqa: S308


@lru_cache(maxsize=2)
def _empty_reply_form_fields(allow_anonymous: bool) -> str:
    form = ReplyForm(group=Group(allow_anonymous=allow_anonymous))
    form.fields["submission_key"].initial = _KEY_SLOT
    return _form_fields(form)


@login_required
def post_detail(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    if kept_replies.reads_kept(can_moderate(request.user, group)):
        # The post and what the kept page needs of its reader, in one query.
        post, reader = kept_replies.post_and_reader(request.user, group, post_id)
    else:
        post, reader = get_post_for_viewer(request.user, group, post_id), None
    context = thread_context(request, group, post, reader=reader)
    page = context["reply_page"]
    mark_read(
        user=request.user,
        post=post,
        replies=page.replies,
        reached_end=page.is_last,
        known=context["read_state"],
    )
    return render(request, "groups/posts/post_detail.html", context)


@login_required
@require_POST
def post_react(request, group_slug, post_id):
    return _react(request, group_slug, get_post_for_viewer, post_id, on="post")


@login_required
@require_POST
def reply_react(request, group_slug, reply_id):
    return _react(request, group_slug, get_reply_for_viewer, reply_id, on="reply")


def _react(request, group_slug: str, get_item, item_id: int, *, on: str):
    """Add or take back a reaction on a post or reply (``on``: which) the member may read."""
    group = get_group_for_reader(request.user, group_slug)
    item = get_item(request.user, group, item_id)
    try:
        toggle_reaction(user=request.user, kind=request.POST.get("kind", ""), **{on: item})
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(item)


@login_required
@require_POST
def post_pin(request, group_slug, post_id):
    return _switch(request, group_slug, post_id, "pinned", done=("Pinned to the top.", "Unpinned."))


@login_required
@require_POST
def post_lock(request, group_slug, post_id):
    return _switch(request, group_slug, post_id, "locked", done=("Locked: no new replies.", "Unlocked."))


def _switch(request, group_slug: str, post_id: int, name: str, *, done: tuple[str, str]):
    """Pin or lock a thread (``name``: "pinned" or "locked"), on when the form sends "1"."""
    on = request.POST.get(name) == "1"
    post = _thread_for_moderator(request, group_slug, post_id)
    return _set_thread_state(request, post, done=done[0] if on else done[1], **{name: on})


@login_required
@require_POST
def post_slow_mode(request, group_slug, post_id):
    post = _thread_for_moderator(request, group_slug, post_id)
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Slow mode takes 0 to 1440 minutes.")
        return redirect(post)
    return _set_thread_state(
        request,
        post,
        done="Slow mode updated.",
        slow_mode_seconds=form.cleaned_data["minutes"] * 60,
        reason_text=form.cleaned_data["reason"],
    )


def _thread_for_moderator(request, group_slug: str, post_id: int) -> Post:
    group = get_group_for_moderator(request.user, group_slug)
    return get_post_for_viewer(request.user, group, post_id)


def _set_thread_state(request, post: Post, *, done: str, **state):
    attempt(request, lambda: set_post_state(moderator=request.user, post=post, **state), done=done)
    return redirect(post)


@login_required
def post_history(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    return _history(request, group, post, post=post)


@login_required
def reply_history(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    return _history(request, group, reply, post=reply.post)


def _history(request, group, item, *, post: Post):
    """The earlier versions of a post or reply, for those who may see them (else a 404)."""
    if not can_see_history(request.user, item):
        raise Http404("No such history.")
    return render(
        request,
        "groups/posts/history.html",
        {"group": group, "item": item, "post": post, "revisions": item.revisions.all()},
    )
