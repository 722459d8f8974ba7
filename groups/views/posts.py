from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community.context_processors import CRISIS_SUPPORT_KEY
from community.errors import ActionRefused
from groups import queries
from groups.actions import moderation
from groups.actions import posts as actions
from groups.forms import PostForm, ReplyForm
from groups.models import ContentStatus, Reason
from groups.permissions import (
    author_label,
    can_moderate,
    get_group_for_moderator,
    get_group_for_reader,
    get_post_for_author,
    get_post_for_viewer,
    get_reply_for_author,
    get_reply_for_viewer,
    is_folded,
    membership_of,
    why_cannot_participate,
)


@login_required
def post_list(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    pinned, posts, next_cursor = queries.post_list_page(
        user=request.user, group=group, cursor=request.GET.get("after", "")
    )
    return render(
        request,
        "groups/post_list.html",
        {
            "group": group,
            "pinned": pinned,
            "posts": posts,
            "next_cursor": next_cursor,
            "is_later_page": bool(request.GET.get("after")),
            "membership": membership_of(request.user, group),
            "can_moderate": can_moderate(request.user, group),
            "cannot_post": why_cannot_participate(request.user, group),
        },
    )


@login_required
def post_create(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    cannot_post = why_cannot_participate(request.user, group)
    form = PostForm(request.POST if request.method == "POST" else None, group=group)
    if request.method == "POST" and not cannot_post and form.is_valid():
        try:
            post = actions.create_post(author=request.user, group=group, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            _after_writing(request, post, "Your post is published.")
            return redirect(post)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "groups/post_form.html", {"group": group, "form": form, "cannot_post": cannot_post}, status=status
    )


def _after_writing(request, item, published_message: str) -> None:
    """Tell the author what happened; after crisis words, show crisis resources at once."""
    if item.is_risk:
        request.session[CRISIS_SUPPORT_KEY] = True
    if item.status == ContentStatus.HELD:
        messages.info(
            request,
            "Thank you. A moderator will read this before others see it; until then only you and the moderators can. "
            "You will get a notification.",
        )
    else:
        messages.success(request, published_message)


def _thread_context(request, group, post, reply_form=None):
    page = queries.thread_replies(
        user=request.user,
        post=post,
        start_at=request.GET.get("from"),
        before=request.GET.get("before"),
        latest="latest" in request.GET,
    )
    replies = page.replies
    queries.attach_reactions(user=request.user, post=post, replies=replies)
    moderates = can_moderate(request.user, group)
    post.shown_author = author_label(post, viewer_moderates=moderates)
    post.folded = is_folded(post)
    return {
        "group": group,
        "post": post,
        "replies": replies,
        "reply_page": page,
        "can_moderate": moderates,
        "cannot_post": why_cannot_participate(request.user, group),
        "reply_form": reply_form or ReplyForm(group=group),
        "moderation_reasons": Reason.choices,
    }


@login_required
def post_detail(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    context = _thread_context(request, group, post)
    page = context["reply_page"]
    actions.mark_read(user=request.user, post=post, reply_ids=[r.pk for r in page.replies], reached_end=page.is_last)
    return render(request, "groups/post_detail.html", context)


@login_required
@require_POST
def reply_create(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    form = ReplyForm(request.POST, group=group)
    if form.is_valid():
        try:
            reply = actions.create_reply(author=request.user, post=post, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            _after_writing(request, reply, "Your reply is posted.")
            return redirect(reply)
    return render(request, "groups/post_detail.html", _thread_context(request, group, post, form), status=400)


@login_required
def post_edit(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_author(request.user, group, post_id)
    form = PostForm(request.POST if request.method == "POST" else None, instance=post, group=group, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_post(user=request.user, post=post, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(post)
    return render(
        request,
        "groups/post_form.html",
        {"group": group, "form": form, "post": post},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def reply_edit(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_author(request.user, group, reply_id)
    form = ReplyForm(request.POST if request.method == "POST" else None, instance=reply, group=group, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_reply(user=request.user, reply=reply, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(reply)
    return render(
        request,
        "groups/reply_form.html",
        {"group": group, "form": form, "reply": reply},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def post_delete(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_author(request.user, group, post_id)
    try:
        actions.delete_post(user=request.user, post=post)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect(post)
    messages.success(request, "Your post is deleted.")
    return redirect("groups:post-list", group_slug=group.slug)


@login_required
@require_POST
def reply_delete(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_author(request.user, group, reply_id)
    try:
        actions.delete_reply(user=request.user, reply=reply)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Your reply is deleted.")
    return redirect(reply.post)


@login_required
@require_POST
def post_react(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    try:
        actions.toggle_reaction(user=request.user, post=post, kind=request.POST.get("kind", ""))
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(post)


@login_required
@require_POST
def reply_react(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    try:
        actions.toggle_reaction(user=request.user, reply=reply, kind=request.POST.get("kind", ""))
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(reply)


@login_required
@require_POST
def post_pin(request, group_slug, post_id):
    group = get_group_for_moderator(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    moderation.set_post_state(moderator=request.user, post=post, pinned=request.POST.get("pinned") == "1")
    messages.success(request, "Pinned to the top." if request.POST.get("pinned") == "1" else "Unpinned.")
    return redirect(post)


@login_required
@require_POST
def post_lock(request, group_slug, post_id):
    group = get_group_for_moderator(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    moderation.set_post_state(moderator=request.user, post=post, locked=request.POST.get("locked") == "1")
    messages.success(request, "Locked: no new replies." if request.POST.get("locked") == "1" else "Unlocked.")
    return redirect(post)


@login_required
def post_history(request, group_slug, post_id):
    group = get_group_for_moderator(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    return render(
        request, "groups/history.html", {"group": group, "item": post, "post": post, "revisions": post.revisions.all()}
    )


@login_required
def reply_history(request, group_slug, reply_id):
    group = get_group_for_moderator(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    return render(
        request,
        "groups/history.html",
        {"group": group, "item": reply, "post": reply.post, "revisions": reply.revisions.all()},
    )
