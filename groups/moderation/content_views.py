"""Members report a post, a reply or a member; moderators remove or restore a post or reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from community.core.errors import ActionRefused
from groups.access import get_group_for_moderator, get_group_for_reader, get_post_for_viewer, get_reply_for_viewer
from groups.models import ContentStatus, Membership, Post
from groups.moderation.content import remove_content, restore_content
from groups.moderation.forms import ContentModerationForm, ReportForm
from groups.moderation.intake import create_report


def _report(request, *, group, target_label, back_url, **target):
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            create_report(reporter=request.user, group=group, **form.cleaned_data, **target)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                "Thank you. A moderator will look at it; the person you reported is not told who reported them.",
            )
            post = target.get("post")
            if post is not None and not Post.objects.filter(pk=post.pk, status=ContentStatus.PUBLISHED).exists():
                # Enough reports hid it until a moderator looks: back to the group's posts.
                return redirect("groups:post-list", group_slug=group.slug)
            return redirect(back_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "groups/moderation/report_form.html",
        {"group": group, "form": form, "target_label": target_label, "back_url": back_url},
        status=status,
    )


@login_required
def post_report(request, group_slug, post_id):
    group = get_group_for_reader(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    return _report(
        request, group=group, target_label=f"the post “{post.title}”", back_url=post.get_absolute_url(), post=post
    )


@login_required
def reply_report(request, group_slug, reply_id):
    group = get_group_for_reader(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    return _report(request, group=group, target_label="this reply", back_url=reply.get_absolute_url(), reply=reply)


@login_required
def member_report(request, group_slug, membership_id):
    group = get_group_for_reader(request.user, group_slug)
    membership = get_object_or_404(Membership, pk=membership_id, group=group, status=Membership.Status.ACTIVE)
    return _report(
        request,
        group=group,
        target_label=membership.user.display_name,
        back_url=group.get_absolute_url(),
        member=membership.user,
    )


@login_required
@require_POST
def post_moderate(request, group_slug, post_id):
    return _moderate_content(request, group_slug, get_post_for_viewer, post_id)


@login_required
@require_POST
def reply_moderate(request, group_slug, reply_id):
    return _moderate_content(request, group_slug, get_reply_for_viewer, reply_id)


def _moderate_content(request, group_slug: str, get_content, content_id: int):
    """Remove a post or reply (with the reason its author will see), or restore it."""
    group = get_group_for_moderator(request.user, group_slug)
    content = get_content(request.user, group, content_id)
    try:
        if request.POST.get("action") == "restore":
            restore_content(moderator=request.user, content=content, note=request.POST.get("note", ""))
            messages.success(request, "Restored.")
        else:
            form = ContentModerationForm(request.POST)
            if not form.is_valid():
                raise ActionRefused("Choose the reason the member will see.")
            remove_content(moderator=request.user, content=content, **form.cleaned_data)
            messages.success(request, "Removed. It is hidden, not deleted, and the author has been told why.")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(content.get_absolute_url())
