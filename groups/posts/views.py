from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community.context_processors import CRISIS_SUPPORT_KEY
from community.core.errors import ActionRefused
from community.core.markdown import render_markdown
from groups.access import (
    ANONYMOUS_LABEL,
    author_label,
    can_moderate,
    can_read,
    can_see_history,
    get_group_for_moderator,
    get_group_for_reader,
    get_group_for_writer,
    get_post_for_author,
    get_post_for_viewer,
    get_reply_for_author,
    get_reply_for_viewer,
    is_folded,
    membership_of,
    visible_post,
    was_member,
    why_cannot_participate,
)
from groups.forms import PostForm, ReplyForm
from groups.models import ContentStatus, Group, Post, Reason, Reply
from groups.moderation import actions as moderation
from groups.posts import actions as actions
from groups.posts import queries
from groups.posts.content import thread_of
from groups.posts.screening import has_crisis_language


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
        moderation.record_refused_risk(author=request.user, group=group, texts=texts, refusal=refusal, post=post)
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
    return render(request, "groups/post_form.html", context, status=status)


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


def _thread_context(request, group, post, reply_form=None, preview=None):
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
    cannot_post = why_cannot_participate(request.user, group)
    return {
        "group": group,
        "post": post,
        "replies": replies,
        "reply_page": page,
        "can_moderate": moderates,
        "cannot_post": cannot_post,
        "review_notice": "" if cannot_post else actions.review_notice(author=request.user, group=group),
        "reply_form": reply_form or ReplyForm(group=group),
        "preview": preview,
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
        context = _thread_context(request, group, post, form, preview)
        context["show_crisis_support"] = preview.at_risk
        return render(request, "groups/post_detail.html", context)
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
    context = _thread_context(request, group, post, form)
    context["show_crisis_support"] = at_risk
    return render(request, "groups/post_detail.html", context, status=400)


def _thread_end_url(reply) -> str:
    """Where an author lands after replying: the thread's last page, which ends with their
    new reply, so the replies before it are there to read."""
    return reply.post.get_absolute_url() + f"?latest=1#reply-{reply.pk}"


GONE = "This is no longer open to you: you left or were removed from the group, or it was removed."


def _refused_page(request, group, form, *, at_risk: bool):
    return render(
        request,
        "groups/writing_refused.html",
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


@login_required
def post_edit(request, group_slug, post_id):
    try:
        group = get_group_for_reader(request.user, group_slug)
        post = get_post_for_author(request.user, group, post_id)
    except Http404:
        if request.method != "POST":
            raise
        return _refused_edit(request, group_slug, PostForm, Post, post_id)
    return _edit(
        request,
        group=group,
        item=post,
        form_class=PostForm,
        fields=("title", "body", "content_warning"),
        act=lambda data: actions.edit_post(user=request.user, post=post, **data),
        template="groups/post_form.html",
        context={"post": post},
    )


@login_required
def reply_edit(request, group_slug, reply_id):
    try:
        group = get_group_for_reader(request.user, group_slug)
        reply = get_reply_for_author(request.user, group, reply_id)
    except Http404:
        if request.method != "POST":
            raise
        return _refused_edit(request, group_slug, ReplyForm, Reply, reply_id)
    return _edit(
        request,
        group=group,
        item=reply,
        form_class=ReplyForm,
        fields=("body", "content_warning"),
        act=lambda data: actions.edit_reply(user=request.user, reply=reply, **data),
        template="groups/reply_form.html",
        context={"reply": reply},
    )


def _edit(request, *, group, item, form_class, fields, act, template: str, context: dict):
    """The edit form of a post or reply: show it, preview it, or save it through ``act``
    (read for crisis words first, like everything a member sends)."""
    is_post = request.method == "POST"
    form = form_class(request.POST if is_post else None, instance=item, group=group, editing=True)
    at_risk = False
    texts = [request.POST.get(name, "") for name in fields]
    preview = _preview(request, form, texts=texts, refusal=why_cannot_participate(request.user, group))
    if is_post and preview is None:
        post = thread_of(item)
        edited, at_risk = _submit(request, group=group, form=form, texts=texts, act=act, post=post)
        if edited is not None:
            _after_editing(request, at_risk=at_risk)
            return redirect(item)
    if preview:
        preview.shown_author = author_label(item, viewer_moderates=False)
    return render(
        request,
        template,
        {
            **context,
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
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    if not can_see_history(request.user, post):
        raise Http404("No such post.")
    return render(
        request, "groups/history.html", {"group": group, "item": post, "post": post, "revisions": post.revisions.all()}
    )


@login_required
def reply_history(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    if not can_see_history(request.user, reply):
        raise Http404("No such reply.")
    return render(
        request,
        "groups/history.html",
        {"group": group, "item": reply, "post": reply.post, "revisions": reply.revisions.all()},
    )


WRITING_ROUTES = {"groups:post-create", "groups:reply-create", "groups:post-edit", "groups:reply-edit"}


def screen_refused_submission(request, user) -> tuple[bool, str]:
    """For a request refused before any view ran (a suspended account): if it was a post or
    reply with crisis words, keep the words for the group's moderators. Returns whether
    there were crisis words, and the text to give back to the member."""
    from django.middleware.csrf import CsrfViewMiddleware
    from django.urls import Resolver404, resolve

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
        moderation.record_refused_risk(author=user, group=group, texts=texts, refusal="the account is suspended")
    return True, kept
