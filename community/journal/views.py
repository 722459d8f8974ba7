"""My treatment journey: short function views. Every row is fetched with
``get_own_journal_item`` (404 for anyone but its member); writes go through actions.py."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from community.access import get_own_journal_item
from community.context_processors import CRISIS_SUPPORT_KEY
from community.journal import actions
from community.journal.charts import build_timeline
from community.journal.forms import (
    CheckInForm,
    PeriodForm,
    QuestionForm,
    ReminderForm,
    SessionForm,
    ShareLinkForm,
    TreatmentForm,
)
from community.journal.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalTreatment,
    SelfHarm,
    TreatmentKind,
)
from community.journal.queries import (
    checkins_for,
    line_to_copy,
    questions_for,
    sessions_for,
    share_links_for,
    summary_for,
    treatments_for,
)

RECENT_CHECKINS = 14
# The timeline's ranges: (label, days back from today, or None for everything).
CHART_RANGES = {"3m": ("3 months", 91), "1y": ("1 year", 365), "all": ("Everything", None)}
NEW_SHARE_URL_KEY = "journal_new_share_url"
# Search engines and caches are told to keep away from a shared summary.
NO_INDEX = "noindex, nofollow, noarchive, nosnippet"


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def _posted(request):
    # An empty POST is still a POST: it must be validated (and refused), not shown as a new form.
    return request.POST if request.method == "POST" else None


def _form_status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _chart_range(request, checkins, today) -> str:
    """The range asked for, or by default the last three months when there are check-ins
    in them (so that their line is readable), otherwise everything."""
    key = request.GET.get("range")
    if key in CHART_RANGES:
        return key
    recent = today - timedelta(days=CHART_RANGES["3m"][1])
    return "3m" if checkins and checkins[-1].date >= recent else "all"


@login_required
def journey_home(request):
    today = timezone.localdate()
    treatments = list(treatments_for(request.user))
    checkins = list(checkins_for(request.user))
    chart_range = _chart_range(request, checkins, today)
    days = CHART_RANGES[chart_range][1]
    timeline = build_timeline(treatments, checkins, today=today, since=today - timedelta(days=days) if days else None)
    context = {
        "treatments": treatments,
        "recent_checkins": checkins[-RECENT_CHECKINS:][::-1],
        "checkin_count": len(checkins),
        "questions": list(questions_for(request.user)),
        "question_form": QuestionForm(),
        "timeline": timeline,
        "chart_range": chart_range,
        "chart_ranges": [(key, label) for key, (label, _days) in CHART_RANGES.items()],
    }
    return _private(render(request, "community/journal/home.html", context))


# --- treatments ---------------------------------------------------------------------------


@login_required
def treatment_create(request):
    form = TreatmentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        treatment = actions.record_treatment(user=request.user, data=form.cleaned_data)
        messages.success(request, "Treatment saved to your journal.")
        return redirect("journal:treatment-detail", treatment_id=treatment.pk)
    return _private(
        render(request, "community/journal/treatment_form.html", {"form": form}, status=_form_status(request, form))
    )


@login_required
def treatment_detail(request, treatment_id):
    treatment = get_own_journal_item(request.user, JournalTreatment, treatment_id)
    sessions = list(sessions_for(treatment))
    line = line_to_copy(treatment, session_count=len(sessions), today=timezone.localdate())
    context = {"treatment": treatment, "sessions": sessions, "line_to_copy": line}
    return _private(render(request, "community/journal/treatment_detail.html", context))


@login_required
def treatment_edit(request, treatment_id):
    treatment = get_own_journal_item(request.user, JournalTreatment, treatment_id)
    initial = {name: getattr(treatment, name) for name in actions.TREATMENT_FIELDS}
    form = TreatmentForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_treatment(user=request.user, treatment=treatment, data=form.cleaned_data)
        messages.success(request, "Treatment updated.")
        return redirect("journal:treatment-detail", treatment_id=treatment.pk)
    context = {"form": form, "treatment": treatment}
    return _private(
        render(request, "community/journal/treatment_form.html", context, status=_form_status(request, form))
    )


@login_required
@require_POST
def treatment_delete(request, treatment_id):
    treatment = get_own_journal_item(request.user, JournalTreatment, treatment_id)
    actions.delete_treatment(user=request.user, treatment=treatment)
    messages.success(request, "The treatment and its sessions are deleted.")
    return redirect("journal:home")


# --- sessions -----------------------------------------------------------------------------


@login_required
def session_create(request, treatment_id):
    treatment = get_own_journal_item(request.user, JournalTreatment, treatment_id)
    if not treatment.has_sessions:
        raise Http404("Sessions are recorded for esketamine, ketamine, TMS and ECT only.")
    form = SessionForm(_posted(request), treatment=treatment, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actions.record_session(user=request.user, treatment=treatment, data=form.cleaned_data)
        messages.success(request, "Session saved.")
        return redirect("journal:treatment-detail", treatment_id=treatment.pk)
    context = {"form": form, "treatment": treatment, "is_esketamine": treatment.kind == TreatmentKind.ESKETAMINE}
    return _private(render(request, "community/journal/session_form.html", context, status=_form_status(request, form)))


@login_required
def session_edit(request, session_id):
    session = get_own_journal_item(request.user, JournalSession, session_id)
    treatment = session.treatment
    initial = {name: getattr(session, name) for name in actions.SESSION_FIELDS}
    form = SessionForm(_posted(request), treatment=treatment, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_session(user=request.user, session=session, data=form.cleaned_data)
        messages.success(request, "Session updated.")
        return redirect("journal:treatment-detail", treatment_id=treatment.pk)
    context = {
        "form": form,
        "treatment": treatment,
        "session": session,
        "is_esketamine": treatment.kind == TreatmentKind.ESKETAMINE,
    }
    return _private(render(request, "community/journal/session_form.html", context, status=_form_status(request, form)))


@login_required
@require_POST
def session_delete(request, session_id):
    session = get_own_journal_item(request.user, JournalSession, session_id)
    treatment_id = session.treatment_id
    actions.delete_session(user=request.user, session=session)
    messages.success(request, "Session deleted.")
    return redirect("journal:treatment-detail", treatment_id=treatment_id)


# --- check-ins ----------------------------------------------------------------------------


def _after_checkin(request, checkin):
    if checkin.self_harm_thoughts == SelfHarm.YES:
        # Crisis help at the top of the next page. "private": the panel says nobody was told.
        request.session[CRISIS_SUPPORT_KEY] = "private"
    return redirect("journal:home")


@login_required
def checkin_create(request):
    form = CheckInForm(_posted(request), initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        checkin = actions.record_checkin(user=request.user, data=form.cleaned_data)
        messages.success(request, "Check-in saved. Only you can see it.")
        return _after_checkin(request, checkin)
    return _private(
        render(request, "community/journal/checkin_form.html", {"form": form}, status=_form_status(request, form))
    )


@login_required
def checkin_edit(request, checkin_id):
    checkin = get_own_journal_item(request.user, JournalCheckIn, checkin_id)
    initial = {name: getattr(checkin, name) for name in actions.CHECKIN_FIELDS}
    form = CheckInForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        checkin = actions.update_checkin(user=request.user, checkin=checkin, data=form.cleaned_data)
        messages.success(request, "Check-in updated.")
        return _after_checkin(request, checkin)
    context = {"form": form, "checkin": checkin}
    return _private(render(request, "community/journal/checkin_form.html", context, status=_form_status(request, form)))


@login_required
@require_POST
def checkin_delete(request, checkin_id):
    checkin = get_own_journal_item(request.user, JournalCheckIn, checkin_id)
    actions.delete_checkin(user=request.user, checkin=checkin)
    messages.success(request, "Check-in deleted.")
    return redirect("journal:home")


# --- questions for the next appointment ------------------------------------------------------


@login_required
@require_POST
def question_create(request):
    form = QuestionForm(request.POST)
    if form.is_valid():
        actions.add_question(user=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Question added.")
    else:
        messages.error(request, form.errors["text"][0])
    return redirect(reverse("journal:home") + "#questions")


@login_required
@require_POST
def question_toggle(request, question_id):
    question = get_own_journal_item(request.user, JournalQuestion, question_id)
    actions.toggle_question(user=request.user, question=question)
    return redirect(reverse("journal:home") + "#questions")


@login_required
@require_POST
def question_delete(request, question_id):
    question = get_own_journal_item(request.user, JournalQuestion, question_id)
    actions.delete_question(user=request.user, question=question)
    messages.success(request, "Question deleted.")
    return redirect(reverse("journal:home") + "#questions")


# --- the summary and sharing it ---------------------------------------------------------------


@login_required
def summary(request):
    period_form = PeriodForm(request.GET or {"period": "90"})
    data = summary_for(request.user, period_days=period_form.days(), today=timezone.localdate())
    context = {**data, "period_form": period_form, "owner_name": request.user.display_name, "shared": False}
    return _private(render(request, "community/journal/summary.html", context))


@login_required
def share_list(request):
    form = ShareLinkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        _link, token = actions.create_share_link(
            user=request.user,
            period_days=form.cleaned_data["period"],
            days_valid=form.cleaned_data["days_valid"],
            show_display_name=form.cleaned_data["show_display_name"],
        )
        request.session[NEW_SHARE_URL_KEY] = request.build_absolute_uri(
            reverse("journal:shared", kwargs={"token": token})
        )
        return redirect("journal:share-list")
    context = {
        "form": form,
        "links": list(share_links_for(request.user)),
        "new_url": request.session.pop(NEW_SHARE_URL_KEY, None),
        "now": timezone.now(),
    }
    return _private(render(request, "community/journal/share_list.html", context, status=_form_status(request, form)))


@login_required
@require_POST
def share_revoke(request, link_id):
    link = get_own_journal_item(request.user, JournalShareLink, link_id)
    actions.revoke_share_link(user=request.user, link=link)
    messages.success(request, "The link is revoked. It no longer opens anything.")
    return redirect("journal:share-list")


def shared_summary(request, token):
    """What a clinician sees through a share link: the summary only, read-only."""
    link = actions.share_link_for_token(token)
    if link is None:
        response = render(request, "community/journal/shared_gone.html", status=404)
    else:
        actions.record_share_open(link=link)
        data = summary_for(link.user, period_days=link.period_days, today=timezone.localdate())
        context = {
            **data,
            "owner_name": link.user.display_name if link.show_display_name else "",
            "shared": True,
            "link": link,
        }
        response = render(request, "community/journal/summary.html", context)
    response["X-Robots-Tag"] = NO_INDEX
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


# --- reminders --------------------------------------------------------------------------------


@login_required
def reminders(request):
    current = JournalReminder.objects.filter(user=request.user).first()
    form = ReminderForm(
        _posted(request), initial={"frequency": current.frequency if current else JournalReminder.Frequency.NEVER}
    )
    if request.method == "POST" and form.is_valid():
        actions.set_checkin_reminder(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Your reminder choice is saved.")
        return redirect("journal:home")
    emails_off = request.user.email_frequency == get_user_model().EmailFrequency.NONE
    context = {"form": form, "emails_off": emails_off}
    return _private(render(request, "community/journal/reminders.html", context, status=_form_status(request, form)))
