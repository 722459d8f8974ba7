"""The moderation log (moderators: their groups; staff: all, and a CSV export), and a
member's own page of decisions about them, with their appeals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import redirect, render

from community.accounts.roles import is_site_staff, staff_required
from community.core.errors import ActionRefused
from groups.access import moderated_groups, moderates_any_group
from groups.models import ModerationLog
from groups.moderation.appeals import appeal_decision
from groups.moderation.forms import AppealForm, LogExportForm
from groups.moderation.log_csv import date_range, log_csv_response
from groups.moderation.models import MEMBER_VISIBLE_ACTIONS

LOG_PER_PAGE = 50


@login_required
def log_list(request):
    if not moderates_any_group(request.user):
        raise PermissionDenied
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
        "groups/moderation/moderation_log.html",
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
    return render(request, "groups/moderation/my_decisions.html", {"entries": entries})


@login_required
def appeal_create(request, decision_id):
    decision = ModerationLog.objects.filter(pk=decision_id, target_user=request.user).select_related("group").first()
    if decision is None:
        raise Http404("No such decision.")
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_decision(user=request.user, decision=decision, text=form.cleaned_data["text"])
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Your appeal is sent. You will get a notification when it is decided.")
        return redirect("moderation:my-decisions")
    return render(request, "groups/moderation/appeal_form.html", {"decision": decision, "form": form})
