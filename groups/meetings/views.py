import hashlib
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_POST

from community.core import pagecache
from community.core.errors import ActionRefused, attempt
from groups.access import (
    active_group_ids,
    can_moderate,
    can_see_video_link,
    get_group_for_moderator,
    get_group_for_reader,
    get_meeting_for_reader,
    get_occurrence_for_reader,
    rsvps_with_link_q,
    video_link_in_file,
)
from groups.meetings import actions as actions
from groups.meetings import schedule
from groups.meetings.forms import CancelOccurrenceForm, MeetingForm, MoveOccurrenceForm
from groups.meetings.ical import (
    FEED_INPUTS,
    feed_changes,
    feed_digest,
    meeting_calendar,
    occurrence_calendar,
    personal_feed,
)
from groups.models import CalendarFeed, Rsvp, SeriesRsvp
from groups.posts import queries

CALENDAR_WEEKS = 8
FEED_PAST_DAYS = 30
FEED_CACHE_SECONDS = 24 * 60 * 60
# A feed's answer is kept as long as the response tells apps they may keep it.
KEPT_FEED_SECONDS = 15 * 60


def _group_context(request, group, tab="meetings"):
    return {"group": group, "tab": tab, "can_read": True, "can_moderate": can_moderate(request.user, group)}


@login_required
def meeting_list(request, group_slug):
    """The group's calendar: every date in the coming weeks."""
    group = get_group_for_reader(request.user, group_slug)
    now = timezone.now()
    occurrences = queries.upcoming_occurrences(
        group_ids=[group.pk], after=now, before=now + timedelta(weeks=CALENDAR_WEEKS)
    )
    return render(
        request,
        "groups/meetings/meeting_list.html",
        {
            **_group_context(request, group),
            "occurrences": occurrences,
            "my_rsvps": queries.rsvp_map(request.user, occurrences),
            "weeks": CALENDAR_WEEKS,
        },
    )


@login_required
def meeting_create(request, group_slug):
    group = get_group_for_moderator(request.user, group_slug)
    return _meeting_form_page(request, group)


def _meeting_form_page(request, group, meeting=None):
    """Scheduling a meeting (``meeting`` None) and changing one are the same form and page."""
    initial = MeetingForm.initial_for(meeting) if meeting else {"time_zone": request.user.time_zone}
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)

    def save():
        if meeting is None:
            return actions.schedule_meeting(organiser=request.user, group=group, **form.meeting_fields())
        return actions.edit_meeting(organiser=request.user, meeting=meeting, **form.meeting_fields())

    if meeting is None:
        done = "The meeting is scheduled. Members can RSVP now."
    else:
        done = "Saved. Changes to the schedule apply to future dates only."
    return _form_page(
        request, group, form, save, done=done, template="groups/meetings/meeting_form.html", meeting=meeting
    )


def _form_page(request, group, form, act, *, done: str, template: str, **context):
    """A page with one form: a valid POST runs ``act`` (an action that returns what to go
    to next, with ``done`` as the message); a refusal shows on the form, shown again
    with 400, as is invalid input."""
    if request.method == "POST" and form.is_valid():
        try:
            target = act()
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, done)
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**_group_context(request, group), "form": form, **context}, status=status)


@login_required
def meeting_edit(request, group_slug, meeting_id):
    group = get_group_for_moderator(request.user, group_slug)
    meeting = get_meeting_for_reader(request.user, group, meeting_id)
    return _meeting_form_page(request, group, meeting)


@login_required
def meeting_detail(request, group_slug, meeting_id):
    group = get_group_for_reader(request.user, group_slug)
    meeting = get_meeting_for_reader(request.user, group, meeting_id)
    occurrences = list(meeting.occurrences.filter(end__gt=timezone.now()).select_related("meeting__group")[:12])
    return render(
        request,
        "groups/meetings/meeting_detail.html",
        {
            **_group_context(request, group),
            "meeting": meeting,
            "occurrences": occurrences,
            "my_rsvps": queries.rsvp_map(request.user, occurrences),
            "schedule_text": schedule.describe_rule(meeting.rrule, starts_on=meeting.starts_on),
            "follows_series": SeriesRsvp.objects.filter(meeting=meeting, user=request.user).exists(),
        },
    )


@login_required
def occurrence_detail(request, group_slug, meeting_id, occurrence_id):
    group = get_group_for_reader(request.user, group_slug)
    occurrence = get_occurrence_for_reader(request.user, group, meeting_id, occurrence_id)
    rsvp = queries.rsvp_map(request.user, [occurrence]).get(occurrence.pk)
    waitlist_position = None
    if rsvp and rsvp.status == Rsvp.Status.WAITLISTED:
        waitlist_position = Rsvp.objects.filter(
            occurrence=occurrence, status=Rsvp.Status.WAITLISTED, requested_at__lte=rsvp.requested_at
        ).count()
    return render(
        request,
        "groups/meetings/occurrence_detail.html",
        {
            **_group_context(request, group),
            "meeting": occurrence.meeting,
            "occurrence": occurrence,
            "rsvp": rsvp,
            "waitlist_position": waitlist_position,
            "show_link": can_see_video_link(request.user, occurrence, rsvp),
            "has_started": occurrence.start <= timezone.now(),
            "cancel_form": CancelOccurrenceForm(),
        },
    )


def _occurrence_action(request, group_slug, meeting_id, occurrence_id, action, done: str):
    group = get_group_for_reader(request.user, group_slug)
    occurrence = get_occurrence_for_reader(request.user, group, meeting_id, occurrence_id)
    attempt(request, lambda: action(occurrence), done=done)
    return redirect(occurrence)


def _rsvp_message(rsvp) -> str:
    if rsvp.status == Rsvp.Status.WAITLISTED:
        return "This date is full, so you are on the waitlist. If a place opens up you will be told."
    return "You are going. The details are below; you will get a reminder."


@login_required
@require_POST
def occurrence_rsvp(request, group_slug, meeting_id, occurrence_id):
    return _occurrence_action(
        request,
        group_slug,
        meeting_id,
        occurrence_id,
        lambda o: actions.rsvp(user=request.user, occurrence=o),
        _rsvp_message,
    )


@login_required
@require_POST
def occurrence_cancel_rsvp(request, group_slug, meeting_id, occurrence_id):
    return _occurrence_action(
        request,
        group_slug,
        meeting_id,
        occurrence_id,
        lambda o: actions.cancel_rsvp(user=request.user, occurrence=o),
        "Your RSVP is cancelled. Thank you for freeing the place.",
    )


@login_required
@require_POST
def occurrence_cancel(request, group_slug, meeting_id, occurrence_id):
    get_group_for_moderator(request.user, group_slug)
    form = CancelOccurrenceForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _occurrence_action(
        request,
        group_slug,
        meeting_id,
        occurrence_id,
        lambda o: actions.cancel_occurrence(organiser=request.user, occurrence=o, note=note),
        "This date is cancelled and everyone who RSVP'd has been told.",
    )


@login_required
def occurrence_move(request, group_slug, meeting_id, occurrence_id):
    group = get_group_for_moderator(request.user, group_slug)
    occurrence = get_occurrence_for_reader(request.user, group, meeting_id, occurrence_id)
    form = MoveOccurrenceForm(request.POST if request.method == "POST" else None, zone=occurrence.meeting.time_zone)
    return _form_page(
        request,
        group,
        form,
        lambda: actions.move_occurrence(organiser=request.user, occurrence=occurrence, **form.cleaned_data),
        done="This date is moved and everyone who RSVP'd has been told.",
        template="groups/meetings/occurrence_move.html",
        occurrence=occurrence,
    )


@login_required
@require_POST
def meeting_rsvp_series(request, group_slug, meeting_id):
    group = get_group_for_reader(request.user, group_slug)
    meeting = get_meeting_for_reader(request.user, group, meeting_id)
    try:
        if request.POST.get("cancel"):
            actions.cancel_series_rsvp(user=request.user, meeting=meeting)
            messages.success(request, "You are no longer RSVP'd to every date.")
        else:
            actions.rsvp_series(user=request.user, meeting=meeting)
            messages.success(request, "You are RSVP'd to every coming date (on the waitlist where one is full).")
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(meeting)


@login_required
def meeting_ics(request, group_slug, meeting_id):
    """ "Add to calendar": the series as an .ics file; the video link only for someone
    who RSVP'd to a coming date."""
    group = get_group_for_reader(request.user, group_slug)
    meeting = get_meeting_for_reader(request.user, group, meeting_id)
    occurrences = list(meeting.occurrences.all())
    has_rsvp = Rsvp.objects.filter(
        rsvps_with_link_q(now=timezone.now()), occurrence__meeting=meeting, user=request.user
    ).exists()
    body = meeting_calendar(meeting, occurrences, video_link=has_rsvp and meeting.link_opens_minutes_before is None)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
def occurrence_ics(request, group_slug, meeting_id, occurrence_id):
    """ "Add to calendar" on one date's page: that date only. The video link only for a
    confirmed RSVP (never the waitlist), as on the page."""
    group = get_group_for_reader(request.user, group_slug)
    occurrence = get_occurrence_for_reader(request.user, group, meeting_id, occurrence_id)
    rsvp = queries.rsvp_map(request.user, [occurrence]).get(occurrence.pk)
    video_link = video_link_in_file(occurrence, rsvp)
    response = HttpResponse(
        occurrence_calendar(occurrence, video_link=video_link), content_type="text/calendar; charset=utf-8"
    )
    filename = f"meeting-{occurrence.meeting_id}-{occurrence.start:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_meetings(request):
    """The member's next dates across all their groups, and what else is coming."""
    now = timezone.now()
    # The member's own groups, staff included (not every group on the site), read once.
    group_ids = active_group_ids(request.user)
    going, coming = queries.my_dates_and_coming(
        request.user, after=now, group_ids=group_ids, coming_before=now + timedelta(weeks=4), coming_limit=40
    )
    going_ids = {date.occurrence_id for date, _status in going}
    coming = [date for date in coming if date.occurrence_id not in going_ids]
    feed = queries.calendar_feed_of(request.user)
    return render(request, "groups/meetings/my_meetings.html", {"going": going, "coming": coming, "feed": feed})


@login_required
def calendar_feed_settings(request):
    """Create, regenerate or turn off the member's private calendar address."""
    if request.method == "POST":
        CalendarFeed.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            CalendarFeed.objects.create(user=request.user)
            messages.success(request, "Your private calendar address is ready. Any earlier address no longer works.")
        else:
            messages.success(request, "Your calendar address is turned off; calendar apps can no longer read it.")
        return redirect("groups:my-meetings")
    raise Http404("Use the buttons on the meetings page.")


def _build_feed(name: str, rsvps: list[Rsvp], *, now) -> bytes:
    by_date = {rsvp.occurrence_id: rsvp for rsvp in rsvps}

    def link_allowed(occurrence):
        return video_link_in_file(occurrence, by_date[occurrence.pk], now=now)

    return personal_feed(name, [rsvp.occurrence for rsvp in rsvps], link_allowed=link_allowed)


def calendar_feed(request, token):
    """A member's private feed for calendar apps: no login (apps cannot log in), so the
    long random token in the address is the key. A revoked token is a 404."""
    # Calendar apps ask every few minutes: the answer is kept until a write to what feeds
    # show (the MEETINGS generation) or until a date in it ends (its video link leaves the
    # file) or leaves the feed's window, whichever comes first.
    key = "calendar-feed:" + hashlib.blake2b(token.encode(), digest_size=16).hexdigest()
    generation, kept = pagecache.read_kept(pagecache.MEETINGS, key)
    now = timezone.now()
    if kept is not None and kept[2] > now:  # (etag, body, valid until)
        return _feed_response(request, kept[0], kept[1])
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active or feed.user.suspension_in_force():
        raise Http404("No such calendar.")
    user = feed.user
    since = now - timedelta(days=FEED_PAST_DAYS)
    rsvps = queries.my_rsvps(user, after=since)
    # Building the file is most of the cost (50 ms for 100 dates): keep it under a digest
    # of its inputs too, so that a write elsewhere does not build it again.
    name = "My support group meetings"
    inputs = list(rsvps.values_list(*FEED_INPUTS))
    digest = feed_digest(name, inputs, now=now)
    cache_key = f"calendar-feed:{feed.pk}:{digest}"
    body = cache.get(cache_key)
    if body is None:
        body = _build_feed(name, list(rsvps), now=now)
        cache.set(cache_key, body, FEED_CACHE_SECONDS)
    # Weak: the same events, though DTSTAMP differs between copies built at other times.
    etag = f'W/"{digest}"'
    valid_until = min(
        [now + timedelta(seconds=KEPT_FEED_SECONDS), *feed_changes(inputs, now=now, past_days=FEED_PAST_DAYS)]
    )
    pagecache.keep(key, generation, (etag, body, valid_until), KEPT_FEED_SECONDS)
    return _feed_response(request, etag, body)


def _feed_response(request, etag: str, body: bytes):
    headers = {
        "ETag": etag,
        # Private to this member: no shared caches; apps may poll, so a short freshness.
        "Cache-Control": f"private, max-age={KEPT_FEED_SECONDS}",
        "X-Robots-Tag": "noindex",
    }
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    for header, value in headers.items():  # on a 304 too
        response[header] = value
    return response
