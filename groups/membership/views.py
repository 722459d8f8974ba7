from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from community.core.errors import ActionRefused, attempt
from groups.access import (
    can_manage_moderators,
    can_moderate,
    get_group_for_moderator,
    get_group_for_reader,
    get_group_for_viewer,
    membership_of,
)
from groups.forms import DecisionForm, InviteForm, JoinForm
from groups.membership import actions as actions
from groups.models import Invite, Membership
from groups.posts import queries


@login_required
def group_join(request, group_slug):
    group = get_group_for_viewer(request.user, group_slug)
    questions = list(group.questions.all())
    form = JoinForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.join_group(
                user=request.user,
                group=group,
                accepted_rules=form.cleaned_data["accept_rules"],
                answers=form.answers(),
            )
        except ActionRefused as refused:
            messages.error(request, refused.message)
            return redirect(group)
        if membership.is_active:
            messages.success(request, f"Welcome to {group.name}. Take your time; read before you post if you like.")
            return redirect("groups:post-list", group_slug=group.slug)
        messages.success(request, "Your request is sent. A moderator will look at it, and you will get a notification.")
        return redirect(group)
    return render(
        request,
        "groups/membership/group_join.html",
        {"group": group, "form": form, "membership": membership_of(request.user, group)},
    )


@login_required
def group_leave(request, group_slug):
    group = get_group_for_viewer(request.user, group_slug)
    if request.method == "POST":
        try:
            actions.leave_group(user=request.user, group=group)
        except ActionRefused as refused:
            messages.error(request, refused.message)
            return redirect(group)
        messages.success(request, f"You have left {group.name}.")
        return redirect("groups:my-groups")
    return render(request, "groups/membership/group_leave.html", {"group": group})


@login_required
@require_POST
def group_follow(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    try:
        actions.set_follow(user=request.user, group=group, follow=request.POST.get("follow") == "1")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("groups:post-list", group_slug=group.slug)


@login_required
def member_list(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    return render(
        request,
        "groups/membership/member_list.html",
        {
            "group": group,
            "members": queries.members_of(group),
            "can_manage_moderators": can_manage_moderators(request.user, group),
            "can_moderate": can_moderate(request.user, group),
        },
    )


@login_required
@require_POST
def member_role(request, group_slug, membership_id):
    group = get_group_for_reader(request.user, group_slug)
    if not can_manage_moderators(request.user, group):
        raise PermissionDenied
    membership = get_object_or_404(Membership, pk=membership_id, group=group)
    attempt(
        request,
        lambda: actions.set_role(actor=request.user, membership=membership, role=request.POST.get("role", "")),
        done=lambda changed: f"{changed.user.display_name} is now a {changed.get_role_display().lower()}.",
    )
    return redirect("groups:member-list", group_slug=group.slug)


@login_required
def join_request_list(request, group_slug):
    group = get_group_for_moderator(request.user, group_slug)
    # Each request gets its own form, with field ids that cannot clash on the page.
    requests = [(m, DecisionForm(auto_id=f"id_request{m.pk}_%s")) for m in queries.pending_requests(group)]
    return render(request, "groups/membership/join_request_list.html", {"group": group, "requests": requests})


@login_required
@require_POST
def join_request_decide(request, group_slug, membership_id):
    group = get_group_for_moderator(request.user, group_slug)
    membership = get_object_or_404(Membership, pk=membership_id, group=group)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
        return redirect("groups:join-request-list", group_slug=group.slug)
    attempt(
        request,
        lambda: actions.decide_join_request(
            moderator=request.user,
            membership=membership,
            approve=form.cleaned_data["decision"] == "approve",
            message=form.cleaned_data["message"],
        ),
        done=f"Request from {membership.user.display_name}: {form.cleaned_data['decision']}d.",
    )
    return redirect("groups:join-request-list", group_slug=group.slug)


@login_required
def invite_list(request, group_slug):
    group = get_group_for_moderator(request.user, group_slug)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invite = actions.create_invite(moderator=request.user, group=group, **form.cleaned_data)
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Invite link created. Copy it from the list below and share it privately.")
            return redirect(f"{request.path}#invite-{invite.pk}")
    invites = group.invites.select_related("created_by")
    return render(request, "groups/membership/invite_list.html", {"group": group, "form": form, "invites": invites})


@login_required
@require_POST
def invite_revoke(request, group_slug, invite_id):
    group = get_group_for_moderator(request.user, group_slug)
    invite = get_object_or_404(Invite, pk=invite_id, group=group)
    attempt(
        request,
        lambda: actions.revoke_invite(moderator=request.user, invite=invite),
        done="The invite link no longer works.",
    )
    return redirect("groups:invite-list", group_slug=group.slug)


def invite_accept(request, token):
    """Anyone holding the link may read which group it is for and its rules; joining
    needs an account."""
    invite = Invite.objects.select_related("group").filter(token=token).first()
    if invite is None:
        return render(
            request,
            "groups/membership/invite_invalid.html",
            {"problem": "This invite link is not valid. Check that it was copied in full."},
            status=404,
        )
    problem = invite.problem()
    if problem:
        return render(request, "groups/membership/invite_invalid.html", {"problem": problem}, status=410)
    group = invite.group
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.join_group(user=request.user, group=group, accepted_rules=True, invite=invite)
        except ActionRefused as refused:
            messages.error(request, refused.message)
            return render(request, "groups/membership/invite_accept.html", {"group": group, "form": form}, status=400)
        messages.success(request, f"Welcome to {group.name}.")
        return redirect("groups:post-list", group_slug=group.slug)
    return render(request, "groups/membership/invite_accept.html", {"group": group, "form": form})
