"""The settings page of a group and its parts. Each POST view handles one part: it asks
permission (a 404 for anyone who may not), validates, calls one action and goes back to
the page; bad input shows the page again with the message and changes nothing."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.core.errors import ActionRefused, attempt
from groups.access import (
    can_edit_group,
    can_moderate,
    get_group_for_owner,
    get_group_for_settings,
    get_group_for_viewer,
    membership_of,
)
from groups.models import GroupWatchedWord, ModerationLog
from groups.moderation.forms import LogExportForm
from groups.moderation.log_csv import date_range, log_csv_response
from groups.settings import actions, queries
from groups.settings.forms import (
    GroupHoldsForm,
    GroupJoiningForm,
    GroupProfileForm,
    JoinQuestionsForm,
    RulesForm,
    WatchedWordForm,
)

SAVED = "Saved. The change is in the group's moderation log."
NOTHING_CHANGED = "Nothing changed."


def _settings_page(request, group, *, status=200, **bound_forms):
    """The whole page; a bound form with errors replaces its empty one."""
    owner = can_edit_group(request.user, group)
    today = timezone.localdate()
    forms = {
        "holds_form": GroupHoldsForm(group=group),
        "word_form": WatchedWordForm(),
    }
    if owner:
        forms |= {
            "profile_form": GroupProfileForm(group=group),
            "joining_form": GroupJoiningForm(group=group),
            "questions_form": JoinQuestionsForm(group=group),
            "export_form": LogExportForm(initial={"start": today - timedelta(days=90), "end": today}),
        }
    forms |= bound_forms
    context = {
        "group": group,
        "can_read": True,
        "can_moderate": True,
        "can_edit_group": owner,
        "words": GroupWatchedWord.objects.filter(group=group).select_related("added_by"),
        "tab": "settings",
        **forms,
    }
    return render(request, "groups/settings/group_settings.html", context, status=status)


def _done(request, group, changes):
    messages.success(request, SAVED if changes else NOTHING_CHANGED)
    return redirect("groups:group-settings", group_slug=group.slug)


@login_required
@require_GET
def group_settings(request, group_slug):
    group = get_group_for_settings(request.user, group_slug)
    return _settings_page(request, group)


@login_required
@require_POST
def settings_profile(request, group_slug):
    group = get_group_for_owner(request.user, group_slug)
    return _save_section(
        request,
        group,
        GroupProfileForm(request.POST, group=group),
        "profile_form",
        lambda data: actions.update_group_profile(owner=request.user, group=group, **data),
    )


@login_required
@require_POST
def settings_joining(request, group_slug):
    group = get_group_for_owner(request.user, group_slug)
    return _save_section(
        request,
        group,
        GroupJoiningForm(request.POST, group=group),
        "joining_form",
        lambda data: actions.update_joining(owner=request.user, group=group, **data),
    )


@login_required
@require_POST
def settings_holds(request, group_slug):
    group = get_group_for_settings(request.user, group_slug)
    return _save_section(
        request,
        group,
        GroupHoldsForm(request.POST, group=group),
        "holds_form",
        lambda data: actions.update_holds(moderator=request.user, group=group, **data),
    )


def _save_section(request, group, form, form_name: str, act):
    """One section of the settings page: valid input goes to its action (which checks its
    own authority and logs each change); anything else shows the page again with the message."""
    if form.is_valid():
        try:
            return _done(request, group, act(form.cleaned_data))
        except ActionRefused as refused:
            form.add_error(None, refused.message)
    return _settings_page(request, group, status=400, **{form_name: form})


@login_required
@require_POST
def settings_questions(request, group_slug):
    group = get_group_for_owner(request.user, group_slug)
    form = JoinQuestionsForm(request.POST, group=group)
    if form.is_valid():
        try:
            actions.set_join_questions(owner=request.user, group=group, questions=form.questions())
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Join questions saved. People asking to join from now on answer these.")
            return redirect("groups:group-settings", group_slug=group.slug)
    return _settings_page(request, group, status=400, questions_form=form)


@login_required
@require_POST
def word_add(request, group_slug):
    group = get_group_for_settings(request.user, group_slug)
    form = WatchedWordForm(request.POST)
    if form.is_valid():
        try:
            word = actions.add_watched_word(moderator=request.user, group=group, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"“{word.phrase}” added: {word.get_action_display().lower()} in this group.")
            return redirect(f"{_settings_url(group)}#words-title")
    return _settings_page(request, group, status=400, word_form=form)


@login_required
@require_POST
def word_remove(request, group_slug, word_id):
    group = get_group_for_settings(request.user, group_slug)
    attempt(
        request,
        lambda: actions.remove_watched_word(moderator=request.user, group=group, word_id=word_id),
        done="Removed from the group's watched words.",
    )
    return redirect(f"{_settings_url(group)}#words-title")


def _settings_url(group) -> str:
    return reverse("groups:group-settings", kwargs={"group_slug": group.slug})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rules_edit(request, group_slug):
    group = get_group_for_owner(request.user, group_slug)
    form = RulesForm(request.POST if request.method == "POST" else None, initial={"rules": group.rules})
    if request.method == "POST" and form.is_valid():
        try:
            revision = actions.change_rules(owner=request.user, group=group, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            if revision is None:
                messages.info(request, "The rules are the same as before; nothing changed.")
            else:
                messages.success(request, "Rules saved. Members see that they changed, and what changed.")
            return redirect("groups:rules-history", group_slug=group.slug)
    status = 400 if request.method == "POST" else 200
    context = {"group": group, "form": form, "can_read": True, "can_moderate": True, "tab": "settings"}
    return render(request, "groups/settings/rules_edit.html", context, status=status)


@require_GET
def rules_history(request, group_slug):
    """The rules and how they changed: public wherever the rules themselves are."""
    group = get_group_for_viewer(request.user, group_slug)
    membership = membership_of(request.user, group)
    context = {
        "group": group,
        "history": queries.rules_history(group),
        "membership": membership,
        "can_read": bool(membership and membership.is_active) or can_moderate(request.user, group),
        "can_moderate": can_moderate(request.user, group),
        "can_edit_group": can_edit_group(request.user, group),
    }
    return render(request, "groups/settings/rules_history.html", context)


@login_required
@require_POST
def rules_accept(request, group_slug):
    group = get_group_for_viewer(request.user, group_slug)
    attempt(
        request,
        lambda: actions.accept_new_rules(member=request.user, group=group),
        done="Thank you for reading the new rules.",
    )
    return redirect(group)


@login_required
@require_GET
def log_export(request, group_slug):
    """The group's owner (and staff) download its log as CSV for a date range."""
    group = get_group_for_owner(request.user, group_slug)
    form = LogExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a start and end date, with the end on or after the start.")
        return redirect(f"{_settings_url(group)}#log-title")
    start, end = date_range(form.cleaned_data["start"], form.cleaned_data["end"])
    entries = ModerationLog.objects.filter(group=group, created_at__gte=start, created_at__lt=end)
    filename = f"{group.slug}-log-{form.cleaned_data['start']}-to-{form.cleaned_data['end']}.csv"
    return log_csv_response(entries, filename=filename)
