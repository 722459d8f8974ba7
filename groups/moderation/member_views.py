"""A member as their group's moderators see them (history, notes, warn, mute, remove), and
an account as site staff see it (suspend, lift a suspension)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from community.accounts.roles import staff_required
from community.core.errors import ActionRefused
from groups.access import get_group_for_moderator
from groups.models import Group, Membership, ModerationLog, ModeratorNote
from groups.moderation.forms import MemberActionForm, ModeratorNoteForm, SuspendForm
from groups.moderation.members import add_moderator_note, mute_member, remove_member, warn_member
from groups.moderation.suspensions import lift_suspension, suspend_account


@login_required
def member_moderate(request, group_slug, membership_id):
    """A member as their group's moderators see them: history, notes and actions."""
    group, membership = _membership_for_moderator(request, group_slug, membership_id)
    history = (
        ModerationLog.objects.filter(group=group, target_user=membership.user)
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )
    notes = ModeratorNote.objects.filter(group=group, member=membership.user).select_related("author")
    return render(
        request,
        "groups/moderation/member_moderate.html",
        {
            "group": group,
            "membership": membership,
            "history": history,
            "notes": notes,
            "action_form": MemberActionForm(),
            "note_form": ModeratorNoteForm(),
            "can_moderate": True,
            "can_read": True,
        },
    )


@login_required
@require_POST
def member_act(request, group_slug, membership_id):
    group, membership = _membership_for_moderator(request, group_slug, membership_id)
    form = MemberActionForm(request.POST)
    back = redirect("groups:member-moderate", group_slug=group.slug, membership_id=membership.pk)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return back
    data = form.cleaned_data
    common = {
        "moderator": request.user,
        "group": group,
        "user": membership.user,
        "reason": data["reason"],
        "note": data["note"],
    }
    try:
        if data["action"] == "warn":
            warn_member(**common)
        elif data["action"] == "mute":
            mute_member(minutes=data["minutes"], **common)
        else:
            remove_member(ban=data["action"] == "ban", **common)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Done. The member has been told, with the reason and your note.")
    return back


@login_required
@require_POST
def member_note(request, group_slug, membership_id):
    group, membership = _membership_for_moderator(request, group_slug, membership_id)
    form = ModeratorNoteForm(request.POST)
    if form.is_valid():
        add_moderator_note(moderator=request.user, group=group, user=membership.user, text=form.cleaned_data["text"])
        messages.success(request, "Note saved.")
    else:
        messages.error(request, "Write the note first.")
    return redirect("groups:member-moderate", group_slug=group.slug, membership_id=membership.pk)


@login_required
@staff_required(two_factor=True)
def account_moderate(request, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id)
    history = ModerationLog.objects.filter(target_user=member).select_related("actor", "group")[:50]
    return render(
        request,
        "groups/moderation/account_moderate.html",
        {"member": member, "history": history, "form": SuspendForm()},
    )


@login_required
@require_POST
@staff_required(two_factor=True)
def account_suspend(request, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if request.POST.get("lift"):
            lift_suspension(staff=request.user, user=member, note=request.POST.get("reason", ""))
            messages.success(request, "The suspension is lifted.")
        else:
            form = SuspendForm(request.POST)
            if not form.is_valid():
                raise ActionRefused("Choose a length and give the reason the member will see.")
            suspend_account(
                staff=request.user, user=member, days=form.cleaned_data["days"], reason_text=form.cleaned_data["reason"]
            )
            messages.success(request, "The account is suspended and signed out everywhere.")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("moderation:account", user_id=member.pk)


def _membership_for_moderator(request, group_slug: str, membership_id: int) -> tuple[Group, Membership]:
    """The group and one of its memberships, for the group's moderators (else a 404)."""
    group = get_group_for_moderator(request.user, group_slug)
    return group, get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, group=group)
