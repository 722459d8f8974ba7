from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff, staff_required
from community.core.errors import ActionRefused
from groups.access import (
    can_moderate,
    get_group_for_moderator,
    get_group_for_reader,
    get_post_for_viewer,
    get_reply_for_viewer,
    moderated_groups,
    moderates_any_group,
)
from groups.models import ContentStatus, Group, Membership, ModerationLog, ModeratorNote, Post, QueueItem
from groups.moderation import actions as actions
from groups.moderation.forms import (
    AppealForm,
    ContentModerationForm,
    LogExportForm,
    MemberActionForm,
    ModeratorNoteForm,
    QueueDecisionForm,
    QueueFilterForm,
    ReportForm,
    SlowModeForm,
    SuspendForm,
)
from groups.moderation.log_csv import date_range, log_csv_response
from groups.moderation.models import MEMBER_VISIBLE_ACTIONS
from groups.posts.queries import page_by_ids

LOG_PER_PAGE = 50


def _require_some_moderation(user) -> None:
    if not moderates_any_group(user):
        raise PermissionDenied


@login_required
def queue(request):
    _require_some_moderation(request.user)
    groups = Group.objects.all() if is_site_staff(request.user) else moderated_groups(request.user)
    form = QueueFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    group = filters.get("group")
    items = actions.queue_for(request.user, group_id=group.pk if group else None, kind=filters.get("kind", ""))
    page = page_by_ids(items, per_page=25, number=request.GET.get("page"))
    # Items of a kind share one decision form but for its ids: each form is rendered once
    # and the ids set per item (25 radio-button forms rendered one by one took 70 ms a page).
    rendered = {}
    rows = []
    for item in page.object_list:
        choices = tuple(actions.decision_choices(item))
        if choices not in rendered:
            decision_form = QueueDecisionForm(choices=choices, auto_id="id_item{item}_%s")
            rendered[choices] = render_to_string("_form_fields.html", {"form": decision_form})
        rows.append((item, mark_safe(rendered[choices].replace("{item}", str(item.pk)))))  # noqa: S308
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "groups/moderation_queue.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    )


@login_required
@require_POST
def item_claim(request, item_id):
    item = get_object_or_404(QueueItem, pk=item_id)
    if not can_moderate(request.user, item.group):
        raise Http404("No such item.")
    try:
        actions.claim_item(moderator=request.user, item=item)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "You are handling this item; other moderators can see that.")
    return redirect(f"{_queue_url()}#item-{item_id}")


def _queue_url():
    from django.urls import reverse

    return reverse("moderation:queue")


@login_required
@require_POST
def item_decide(request, item_id):
    item = get_object_or_404(QueueItem, pk=item_id)
    if not can_moderate(request.user, item.group):
        raise Http404("No such item.")
    form = QueueDecisionForm(request.POST, choices=actions.decision_choices(item))
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{_queue_url()}#item-{item_id}")
    data = form.cleaned_data
    try:
        actions.decide_item(
            moderator=request.user,
            item=item,
            decision=data["decision"],
            reason=data.get("reason", ""),
            note=data["note"],
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, DECIDED_MESSAGES.get(data["decision"], DECIDED_MESSAGES[""]))
    return redirect(_queue_url())


DECIDED_MESSAGES = {
    "checked_in": "Thank you for checking in. The item is closed and the log says so.",
    "escalate": "Passed to site staff; they have been alerted. The item stays in the queue until someone closes it.",
    "": "Done. The decision is in the log and the member has been told.",
}


@login_required
def log_list(request):
    _require_some_moderation(request.user)
    entries = ModerationLog.objects.select_related("actor", "group", "target_user", "post", "reply", "former_ref")
    if not is_site_staff(request.user):
        entries = entries.filter(group__in=moderated_groups(request.user))
    group_slug = request.GET.get("group")
    if group_slug:
        # Not a slug (a NUL character, say): no group has it, and PostgreSQL would refuse it.
        entries = entries.filter(group__slug=group_slug) if slug_re.fullmatch(group_slug) else entries.none()
    page = Paginator(entries.order_by("-created_at", "-id"), LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/moderation_log.html",
        {
            "page": page,
            "export_form": LogExportForm() if is_site_staff(request.user) else None,
            "query": f"group={group_slug}" if group_slug else "",
        },
    )


@login_required
@staff_required(two_factor=True)
def log_export(request):
    """Staff download the log as CSV for a date range (cells safe from formula injection)."""
    form = LogExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a start and end date, with the end on or after the start.")
        return redirect("moderation:log")
    start, end = date_range(form.cleaned_data["start"], form.cleaned_data["end"])
    entries = ModerationLog.objects.filter(created_at__gte=start, created_at__lt=end)
    filename = f"moderation-log-{form.cleaned_data['start']}-to-{form.cleaned_data['end']}.csv"
    return log_csv_response(entries, filename=filename)


@login_required
def my_decisions(request):
    """What moderators decided about the member's content or membership, with the rule,
    the note and an appeal where one is possible. Reporters are never named."""
    entries = (
        ModerationLog.objects.filter(target_user=request.user, action__in=MEMBER_VISIBLE_ACTIONS)
        .select_related("group", "post", "reply", "appeal")
        .order_by("-created_at", "-id")[:100]
    )
    return render(request, "groups/my_decisions.html", {"entries": entries})


@login_required
def appeal_create(request, decision_id):
    decision = ModerationLog.objects.filter(pk=decision_id, target_user=request.user).select_related("group").first()
    if decision is None:
        raise Http404("No such decision.")
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.appeal_decision(user=request.user, decision=decision, text=form.cleaned_data["text"])
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Your appeal is sent. You will get a notification when it is decided.")
        return redirect("moderation:my-decisions")
    return render(request, "groups/appeal_form.html", {"decision": decision, "form": form})


# --- reports -------------------------------------------------------------------------------------


def _report(request, *, group, target_label, back_url, **target):
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_report(reporter=request.user, group=group, **form.cleaned_data, **target)
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
        "groups/report_form.html",
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


# --- acting on content and members ---------------------------------------------------------------


@login_required
@require_POST
def post_moderate(request, group_slug, post_id):
    group = get_group_for_moderator(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    return _moderate_content(request, post, back_url=post.get_absolute_url())


@login_required
@require_POST
def reply_moderate(request, group_slug, reply_id):
    group = get_group_for_moderator(request.user, group_slug)
    reply = get_reply_for_viewer(request.user, group, reply_id)
    return _moderate_content(request, reply, back_url=reply.get_absolute_url())


def _moderate_content(request, content, *, back_url):
    try:
        if request.POST.get("action") == "restore":
            actions.restore_content(moderator=request.user, content=content, note=request.POST.get("note", ""))
            messages.success(request, "Restored.")
        else:
            form = ContentModerationForm(request.POST)
            if not form.is_valid():
                raise ActionRefused("Choose the reason the member will see.")
            actions.remove_content(moderator=request.user, content=content, **form.cleaned_data)
            messages.success(request, "Removed. It is hidden, not deleted, and the author has been told why.")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(back_url)


@login_required
@require_POST
def post_slow_mode(request, group_slug, post_id):
    group = get_group_for_moderator(request.user, group_slug)
    post = get_post_for_viewer(request.user, group, post_id)
    form = SlowModeForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused("Slow mode takes 0 to 1440 minutes.")
        actions.set_post_state(
            moderator=request.user,
            post=post,
            slow_mode_seconds=form.cleaned_data["minutes"] * 60,
            reason_text=form.cleaned_data["reason"],
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Slow mode updated.")
    return redirect(post)


@login_required
def member_moderate(request, group_slug, membership_id):
    """A member as their group's moderators see them: history, notes and actions."""
    group = get_group_for_moderator(request.user, group_slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, group=group)
    history = (
        ModerationLog.objects.filter(group=group, target_user=membership.user)
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )
    notes = ModeratorNote.objects.filter(group=group, member=membership.user).select_related("author")
    return render(
        request,
        "groups/member_moderate.html",
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
    group = get_group_for_moderator(request.user, group_slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, group=group)
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
            actions.warn_member(**common)
        elif data["action"] == "mute":
            actions.mute_member(minutes=data["minutes"], **common)
        else:
            actions.remove_member(ban=data["action"] == "ban", **common)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Done. The member has been told, with the reason and your note.")
    return back


@login_required
@require_POST
def member_note(request, group_slug, membership_id):
    group = get_group_for_moderator(request.user, group_slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, group=group)
    form = ModeratorNoteForm(request.POST)
    if form.is_valid():
        actions.add_moderator_note(
            moderator=request.user, group=group, user=membership.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Note saved.")
    else:
        messages.error(request, "Write the note first.")
    return redirect("groups:member-moderate", group_slug=group.slug, membership_id=membership.pk)


# --- suspensions (staff) -------------------------------------------------------------------------


@login_required
@staff_required(two_factor=True)
def account_moderate(request, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id)
    history = ModerationLog.objects.filter(target_user=member).select_related("actor", "group")[:50]
    return render(
        request, "groups/account_moderate.html", {"member": member, "history": history, "form": SuspendForm()}
    )


@login_required
@require_POST
@staff_required(two_factor=True)
def account_suspend(request, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if request.POST.get("lift"):
            actions.lift_suspension(staff=request.user, user=member, note=request.POST.get("reason", ""))
            messages.success(request, "The suspension is lifted.")
        else:
            form = SuspendForm(request.POST)
            if not form.is_valid():
                raise ActionRefused("Choose a length and give the reason the member will see.")
            actions.suspend_account(
                staff=request.user, user=member, days=form.cleaned_data["days"], reason_text=form.cleaned_data["reason"]
            )
            messages.success(request, "The account is suspended and signed out everywhere.")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("moderation:account", user_id=member.pk)
