"""Writing in a group: new posts and replies, edits and deletions.

Everything a member sends is read for crisis words before anything may refuse it: the
words of a refused message still reach the group's moderators (``_submit``), even from a
suspended account (``screen_refused_submission``, called by the suspension middleware).
Reading a thread is in ``thread_views``.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from community.context_processors import CRISIS_SUPPORT_KEY
from community.core.errors import ActionRefused, attempt
from community.core.markdown import render_markdown
from groups.access import (
    ANONYMOUS_LABEL,
    author_label,
    can_read,
    get_group_for_reader,
    get_group_for_writer,
    get_post_for_author,
    get_reply_for_author,
    visible_post,
    was_member,
    why_cannot_participate,
)
from groups.forms import PostForm, ReplyForm
from groups.models import ContentStatus, Group, Post, Reply
from groups.moderation.intake import record_refused_risk
from groups.posts import actions
from groups.posts.content import thread_of
from groups.posts.screening import has_crisis_language
from groups.posts.thread_views import thread_context


def _submit(request, *, group, form, texts: list[str], act, post=None, refusal: str = ""):
    """Try to publish what the member sent, after reading it for crisis words first.

    Returns ``(item, at_risk)``; ``item`` is None when something refused it. Whatever
    refuses it (membership, a mute, the form, any rule in the action), crisis words reach a
    human: the words are kept for the group's moderators and the page shows crisis help.
    """
    at_risk = has_crisis_language(*texts)
    refusal = refusal or why_cannot_participate(request.user, group)
    item = None
    if not refusal:
        if not form.is_valid():
            refusal = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        else:
            try:
                item = act(form.cleaned_data)
            except ActionRefused as refused:
                form.add_error(None, refused.message)
                refusal = refused.message
    if item is None and at_risk:
        record_refused_risk(author=request.user, group=group, texts=texts, refusal=refusal, post=post)
    return item, at_risk


@login_required
def post_create(request, group_slug):
    if request.method == "POST":
        # Someone removed while the form was open still reaches this page: their words
        # are read for crisis language before they are told they cannot post.
        group = get_group_for_writer(request.user, group_slug)
    else:
        group = get_group_for_reader(request.user, group_slug)
    cannot_post = why_cannot_participate(request.user, group)
    form = PostForm(request.POST if request.method == "POST" else None, group=group)
    at_risk = False
    texts = [request.POST.get(name, "") for name in ("title", "body", "content_warning")]
    preview = _preview(request, form, texts=texts, refusal=cannot_post)
    if request.method == "POST" and preview is None:
        post, at_risk = _submit(
            request,
            group=group,
            form=form,
            texts=texts,
            act=lambda data: actions.create_post(author=request.user, group=group, **data),
        )
        if post is not None:
            _after_writing(request, post, "Your post is published.", at_risk=at_risk)
            return redirect(post)
    status = 400 if request.method == "POST" and preview is None else 200
    context = {
        "group": group,
        "form": form,
        "cannot_post": cannot_post,
        "preview": preview,
        "show_crisis_support": at_risk or bool(preview and preview.at_risk),
        "review_notice": "" if cannot_post else actions.review_notice(author=request.user, group=group),
    }
    return render(request, "groups/posts/post_form.html", context, status=status)


def _preview(request, form, *, texts: list[str], refusal: str = ""):
    """With the Preview button (name="preview"): the text as it will be published, rendered
    and sanitised like the real thing, its content warning collapsed. Nothing is saved and
    nothing is sent. None when there is nothing to preview: then the request goes the
    usual way, which refuses a form with errors or a member who may not write (crisis
    words included), and never publishes a preview."""
    if request.method != "POST" or "preview" not in request.POST or refusal or not form.is_valid():
        return None
    data = form.cleaned_data
    return SimpleNamespace(
        title=data.get("title", ""),
        content_warning=data.get("content_warning", ""),
        body_html=render_markdown(data["body"]),
        shown_author=ANONYMOUS_LABEL if data.get("is_anonymous") else request.user.display_name,
        folded=False,
        # Crisis help shows beside a preview with crisis words, as it would after sending.
        at_risk=has_crisis_language(*texts),
    )


def _after_writing(request, item, published_message: str, *, at_risk: bool) -> None:
    """Tell the author what happened; after crisis words, show crisis resources at once."""
    if at_risk or item.is_risk:
        request.session[CRISIS_SUPPORT_KEY] = True
    if item.status == ContentStatus.HELD:
        messages.info(
            request,
            "Thank you. A moderator will read this before others see it; until then only you and the moderators can. "
            "You will get a notification when they have.",
        )
    else:
        messages.success(request, published_message)


@login_required
@require_POST
def reply_create(request, group_slug, post_id):
    group = get_group_for_writer(request.user, group_slug)
    form = ReplyForm(request.POST, group=group)
    texts = [request.POST.get(name, "") for name in ("body", "content_warning")]
    post = visible_post(request.user, group, post_id) if can_read(request.user, group) else None
    if post is None:
        # Removed from the group, or the thread removed, while the form was open: they may
        # no longer read it, but crisis words they sent still reach a human, and they keep
        # their text.
        _, at_risk = _submit(request, group=group, form=form, texts=texts, act=None, refusal=GONE)
        return _refused_page(request, group, form, at_risk=at_risk)
    preview = _preview(request, form, texts=texts, refusal=why_cannot_participate(request.user, group))
    if preview is not None:
        context = thread_context(request, group, post, form, preview)
        context["show_crisis_support"] = preview.at_risk
        return render(request, "groups/posts/post_detail.html", context)
    reply, at_risk = _submit(
        request,
        group=group,
        form=form,
        texts=texts,
        act=lambda data: actions.create_reply(author=request.user, post=post, **data),
        post=post,
    )
    if reply is not None:
        _after_writing(request, reply, "Your reply is posted.", at_risk=at_risk)
        return redirect(_thread_end_url(reply))
    context = thread_context(request, group, post, form)
    context["show_crisis_support"] = at_risk
    return render(request, "groups/posts/post_detail.html", context, status=400)


def _thread_end_url(reply) -> str:
    """Where an author lands after replying: the thread's last page, which ends with their
    new reply, so the replies before it are there to read."""
    return reply.post.get_absolute_url() + f"?latest=1#reply-{reply.pk}"


GONE = "This is no longer open to you: you left or were removed from the group, or it was removed."


def _refused_page(request, group, form, *, at_risk: bool):
    return render(
        request,
        "groups/posts/writing_refused.html",
        {
            "group": group,
            "form": form,
            "cannot_post": why_cannot_participate(request.user, group) or GONE,
            "show_crisis_support": at_risk,
        },
        status=403,
    )


def _refused_edit(request, group_slug: str, form_class, model, item_id: int):
    """An edit sent by its author for something they may no longer change (they were
    removed, or it was removed): refused, but read for crisis words first, with their text
    kept. Anyone else gets the 404 they would have got."""
    group = get_group_for_writer(request.user, group_slug)
    if not model.objects.filter(author=request.user, pk=item_id).exists():
        raise Http404("Nothing of yours to edit here.")
    form = form_class(request.POST, group=group, editing=True)
    texts = [request.POST.get(name, "") for name in ("title", "body", "content_warning")]
    _, at_risk = _submit(request, group=group, form=form, texts=texts, act=None, refusal=GONE)
    return _refused_page(request, group, form, at_risk=at_risk)


class _Editing(NamedTuple):
    """What differs between editing a post and editing a reply."""

    model: type
    get_for_author: Callable
    form_class: type
    fields: tuple[str, ...]
    template: str
    context_name: str


POST_EDITING = _Editing(
    Post, get_post_for_author, PostForm, ("title", "body", "content_warning"), "groups/posts/post_form.html", "post"
)
REPLY_EDITING = _Editing(
    Reply, get_reply_for_author, ReplyForm, ("body", "content_warning"), "groups/posts/reply_form.html", "reply"
)


@login_required
def post_edit(request, group_slug, post_id):
    return _edit(
        request,
        group_slug,
        post_id,
        POST_EDITING,
        act=lambda post, data: actions.edit_post(user=request.user, post=post, **data),
    )


@login_required
def reply_edit(request, group_slug, reply_id):
    return _edit(
        request,
        group_slug,
        reply_id,
        REPLY_EDITING,
        act=lambda reply, data: actions.edit_reply(user=request.user, reply=reply, **data),
    )


def _edit(request, group_slug: str, item_id: int, editing: _Editing, *, act):
    """The edit form of a post or reply: show it, preview it, or save it through ``act``
    (read for crisis words first, like everything a member sends)."""
    is_post = request.method == "POST"
    try:
        group = get_group_for_reader(request.user, group_slug)
        item = editing.get_for_author(request.user, group, item_id)
    except Http404:
        if not is_post:
            raise
        return _refused_edit(request, group_slug, editing.form_class, editing.model, item_id)
    form = editing.form_class(request.POST if is_post else None, instance=item, group=group, editing=True)
    at_risk = False
    texts = [request.POST.get(name, "") for name in editing.fields]
    preview = _preview(request, form, texts=texts, refusal=why_cannot_participate(request.user, group))
    if is_post and preview is None:
        post = thread_of(item)
        edited, at_risk = _submit(
            request, group=group, form=form, texts=texts, act=lambda data: act(item, data), post=post
        )
        if edited is not None:
            _after_editing(request, at_risk=at_risk)
            return redirect(item)
    if preview:
        preview.shown_author = author_label(item, viewer_moderates=False)
    return render(
        request,
        editing.template,
        {
            editing.context_name: item,
            "group": group,
            "form": form,
            "preview": preview,
            "show_crisis_support": at_risk or bool(preview and preview.at_risk),
        },
        status=400 if is_post and preview is None else 200,
    )


def _after_editing(request, *, at_risk: bool) -> None:
    if at_risk:
        request.session[CRISIS_SUPPORT_KEY] = True
    messages.success(request, "Your changes are saved.")


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
    attempt(request, lambda: actions.delete_reply(user=request.user, reply=reply), done="Your reply is deleted.")
    return redirect(reply.post)


WRITING_ROUTES = {"groups:post-create", "groups:reply-create", "groups:post-edit", "groups:reply-edit"}


def screen_refused_submission(request, user) -> tuple[bool, str]:
    """For a request refused before any view ran (a suspended account): if it was a post or
    reply with crisis words, keep the words for the group's moderators. Returns whether
    there were crisis words, and the text to give back to the member."""
    if request.method != "POST":
        return False, ""
    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
        return False, ""  # not a form of ours
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False, ""
    if match.view_name not in WRITING_ROUTES:
        return False, ""
    texts = [request.POST.get(name, "") for name in ("title", "body", "content_warning")]
    kept = "\n\n".join(text for text in texts if text.strip())
    if not has_crisis_language(*texts):
        return False, kept
    group = Group.objects.filter(slug=match.kwargs.get("group_slug", "")).first()
    if group is not None and (can_read(user, group) or was_member(user, group)):
        record_refused_risk(author=user, group=group, texts=texts, refusal="the account is suspended")
    return True, kept
