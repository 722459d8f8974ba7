"""Scheduling meetings, RSVPs with capacity and a waitlist, cancelling and moving dates."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import notify
from groups.access import can_moderate, membership_of
from groups.meetings import schedule
from groups.models import Meeting, Occurrence, Rsvp, SeriesRsvp

SCHEDULE_FIELDS = ("starts_on", "start_time", "time_zone", "duration_minutes", "rrule")


def _require_organiser(user, group) -> None:
    if not can_moderate(user, group):
        raise ActionRefused("Only this group's moderators can schedule meetings.")


def _validate(meeting: Meeting) -> None:
    if not 1 <= meeting.duration_minutes <= 720:
        raise ActionRefused("A meeting lasts from 1 minute to 12 hours.")
    if meeting.video_url and not meeting.video_url.startswith("https://"):
        raise ActionRefused("The video link must start with https://.")
    if meeting.capacity is not None and meeting.capacity < 1:
        raise ActionRefused("Capacity must be at least 1, or empty for no limit.")
    first = schedule.first_occurrence(
        rule=meeting.rrule, starts_on=meeting.starts_on, start_time=meeting.start_time, zone=meeting.time_zone
    )
    if first is None:
        raise ActionRefused("This schedule gives no dates. Check the end date or the number of times.")


@transaction.atomic
def schedule_meeting(*, organiser, group, **fields) -> Meeting:
    _require_organiser(organiser, group)
    meeting = Meeting(group=group, created_by=organiser, **fields)
    _validate(meeting)
    meeting.save()
    sync_occurrences(meeting)
    return meeting


@transaction.atomic
def edit_meeting(*, organiser, meeting: Meeting, **fields) -> Meeting:
    """Change a meeting. A new schedule applies to future dates only: past dates stay as
    they were, and RSVPs stay on every future date whose time did not change."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_organiser(organiser, meeting.group)
    if "capacity" in fields and fields["capacity"] is not None:
        busiest = meeting.occurrences.filter(start__gte=timezone.now()).order_by("-confirmed_count").first()
        if busiest and fields["capacity"] < busiest.confirmed_count:
            raise ActionRefused(
                f"{busiest.confirmed_count} people are already going on {busiest.start:%b %-d}; "
                "the capacity cannot be lower than that."
            )
    schedule_changed = any(
        fields.get(name, getattr(meeting, name)) != getattr(meeting, name) for name in SCHEDULE_FIELDS
    )
    for name, value in fields.items():
        setattr(meeting, name, value)
    _validate(meeting)
    meeting.sequence = F("sequence") + 1
    meeting.save()
    meeting.refresh_from_db()
    if schedule_changed:
        sync_occurrences(meeting, reschedule=True)
    return meeting


def sync_occurrences(meeting: Meeting, *, reschedule: bool = False, now=None) -> None:
    """Make the stored future occurrences match the rule, up to the horizon.

    One query reads what exists, one bulk insert adds what is missing: a year of a weekly
    series costs the same few queries as a single meeting. Call inside a transaction.
    """
    now = now or timezone.now()
    slots = schedule.expand(
        rule=meeting.rrule,
        starts_on=meeting.starts_on,
        start_time=meeting.start_time,
        zone=meeting.time_zone,
        duration_minutes=meeting.duration_minutes,
        before=now + schedule.HORIZON,
    )
    wanted = {slot.start: slot for slot in slots if slot.end > now}
    future = {o.original_start: o for o in meeting.occurrences.filter(end__gt=now)}
    if reschedule:
        # Dates that no longer fit the schedule: their people are told, then the rows go.
        by_start = {o.start: o for o in future.values()}
        kept = {start for start in wanted if start in by_start}
        gone = [o for start, o in by_start.items() if start not in kept and not o.is_cancelled]
        _tell_rsvps(gone)
        meeting.occurrences.filter(pk__in=[o.pk for o in by_start.values() if o.start not in kept]).delete()
        for start in kept:
            occurrence = by_start[start]
            Occurrence.objects.filter(pk=occurrence.pk).update(original_start=start, end=wanted[start].end)
        future = {start: by_start[start] for start in kept}
    missing = [
        Occurrence(meeting=meeting, original_start=slot.start, start=slot.start, end=slot.end)
        for start, slot in wanted.items()
        if start not in future
    ]
    created = Occurrence.objects.bulk_create(missing)
    followers = list(meeting.series_rsvps.values_list("user_id", flat=True))
    for occurrence in created:
        for user_id in followers:
            _take_place(occurrence_id=occurrence.pk, user_id=user_id, now=now)


def _tell_rsvps(occurrences) -> None:
    """Everyone going or waiting for these dates hears that they changed."""
    rsvps = Rsvp.objects.filter(
        occurrence__in=occurrences, status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED]
    ).select_related("user", "occurrence__meeting__group")
    for rsvp in rsvps:
        notify(
            recipients=[rsvp.user],
            kind=Notification.Kind.MEETING_CHANGED,
            group=rsvp.occurrence.meeting.group,
            occurrence=rsvp.occurrence,
        )


@transaction.atomic
def cancel_occurrence(*, organiser, occurrence: Occurrence, note: str = "") -> Occurrence:
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",)).select_related("meeting__group").get(pk=occurrence.pk)
    )
    _require_organiser(organiser, occurrence.meeting.group)
    if occurrence.is_cancelled:
        raise ActionRefused("This date is already cancelled.")
    occurrence.is_cancelled = True
    occurrence.note = note.strip()
    occurrence.save(update_fields=["is_cancelled", "note"])
    Meeting.objects.filter(pk=occurrence.meeting_id).update(sequence=F("sequence") + 1)
    _tell_rsvps([occurrence])
    return occurrence


@transaction.atomic
def move_occurrence(*, organiser, occurrence: Occurrence, new_date, new_time, note: str = "") -> Occurrence:
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",)).select_related("meeting__group").get(pk=occurrence.pk)
    )
    meeting = occurrence.meeting
    _require_organiser(organiser, meeting.group)
    local_start = datetime.combine(new_date, new_time, tzinfo=ZoneInfo(meeting.time_zone))
    if problem := schedule.clock_problem(local_start):
        raise ActionRefused(schedule.clock_problem_message(local_start, problem))
    start = local_start.astimezone(UTC)
    if start <= timezone.now():
        raise ActionRefused("Choose a time in the future.")
    occurrence.start = start
    # Absolute time, not wall-clock arithmetic (see groups.meetings.schedule.expand).
    occurrence.end = start + timedelta(minutes=meeting.duration_minutes)
    occurrence.note = note.strip()
    occurrence.is_cancelled = False
    occurrence.save(update_fields=["start", "end", "note", "is_cancelled"])
    Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
    _tell_rsvps([occurrence])
    return occurrence


# --- RSVPs ---------------------------------------------------------------------------------------


def _require_can_rsvp(user, occurrence: Occurrence, now) -> None:
    membership = membership_of(user, occurrence.meeting.group)
    if membership is None or not membership.is_active:
        raise ActionRefused("Only members of this group can RSVP.")
    if occurrence.is_cancelled:
        raise ActionRefused("This date is cancelled.")
    if occurrence.start <= now:
        raise ActionRefused("This meeting has already started.")


def _take_place(*, occurrence_id: int, user_id: int, now) -> Rsvp | None:
    """Confirm a seat, or join the waitlist when full, holding the occurrence's row lock so
    that the last seat goes to exactly one person. Returns None if already RSVP'd."""
    occurrence = Occurrence.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=occurrence_id)
    if occurrence.is_cancelled or occurrence.start <= now:
        return None
    existing = Rsvp.objects.filter(occurrence=occurrence, user_id=user_id).first()
    if existing and existing.status != Rsvp.Status.CANCELLED:
        return None
    capacity = occurrence.meeting.capacity
    full = capacity is not None and occurrence.confirmed_count >= capacity
    status = Rsvp.Status.WAITLISTED if full else Rsvp.Status.CONFIRMED
    if existing:
        existing.status, existing.requested_at = status, now
        existing.save(update_fields=["status", "requested_at"])
        rsvp = existing
    else:
        rsvp = Rsvp.objects.create(occurrence=occurrence, user_id=user_id, status=status, requested_at=now)
    if status == Rsvp.Status.CONFIRMED:
        Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_count=F("confirmed_count") + 1)
    return rsvp


@transaction.atomic
def rsvp(*, user, occurrence: Occurrence) -> Rsvp:
    now = timezone.now()
    _require_can_rsvp(user, occurrence, now)
    result = _take_place(occurrence_id=occurrence.pk, user_id=user.pk, now=now)
    if result is None:
        raise ActionRefused("You have already RSVP'd to this date.")
    return result


@transaction.atomic
def cancel_rsvp(*, user, occurrence: Occurrence) -> Rsvp:
    """Give up a seat (or a waitlist place); the first person waiting is promoted and told,
    unless the meeting has already started."""
    now = timezone.now()
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",)).select_related("meeting__group").get(pk=occurrence.pk)
    )
    mine = Rsvp.objects.filter(occurrence=occurrence, user=user).exclude(status=Rsvp.Status.CANCELLED).first()
    if mine is None:
        raise ActionRefused("You have not RSVP'd to this date.")
    was_confirmed = mine.status == Rsvp.Status.CONFIRMED
    mine.status = Rsvp.Status.CANCELLED
    mine.save(update_fields=["status"])
    if was_confirmed:
        Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_count=F("confirmed_count") - 1)
        if occurrence.start > now:
            _promote_first_waiting(occurrence)
    return mine


def _promote_first_waiting(occurrence: Occurrence) -> None:
    first = (
        Rsvp.objects.filter(occurrence=occurrence, status=Rsvp.Status.WAITLISTED)
        .select_related("user")
        .order_by("requested_at", "id")
        .first()
    )
    if first is None:
        return
    first.status = Rsvp.Status.CONFIRMED
    first.save(update_fields=["status"])
    Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_count=F("confirmed_count") + 1)
    notify(
        recipients=[first.user],
        kind=Notification.Kind.WAITLIST_PROMOTED,
        group=occurrence.meeting.group,
        occurrence=occurrence,
    )


@transaction.atomic
def rsvp_series(*, user, meeting: Meeting) -> int:
    """RSVP to every coming date of a series (and to dates added later). Returns how many
    dates were newly taken."""
    now = timezone.now()
    membership = membership_of(user, meeting.group)
    if membership is None or not membership.is_active:
        raise ActionRefused("Only members of this group can RSVP.")
    try:
        with transaction.atomic():
            SeriesRsvp.objects.create(meeting=meeting, user=user)
    except IntegrityError:
        raise ActionRefused("You already RSVP'd to every date of this meeting.") from None
    taken = 0
    for occurrence_id in meeting.occurrences.filter(start__gt=now, is_cancelled=False).values_list("pk", flat=True):
        taken += _take_place(occurrence_id=occurrence_id, user_id=user.pk, now=now) is not None
    return taken


@transaction.atomic
def cancel_series_rsvp(*, user, meeting: Meeting) -> None:
    deleted, _ = SeriesRsvp.objects.filter(meeting=meeting, user=user).delete()
    if not deleted:
        raise ActionRefused("You had not RSVP'd to every date of this meeting.")
    for occurrence in meeting.occurrences.filter(
        start__gt=timezone.now(), rsvps__user=user, rsvps__status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED]
    ):
        cancel_rsvp(user=user, occurrence=occurrence)


def forget_member_rsvps(*, user, group) -> None:
    """When someone leaves or is removed from a group, their future seats go to others."""
    for occurrence in Occurrence.objects.filter(
        meeting__group=group,
        start__gt=timezone.now(),
        rsvps__user=user,
        rsvps__status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED],
    ):
        cancel_rsvp(user=user, occurrence=occurrence)
    SeriesRsvp.objects.filter(meeting__group=group, user=user).delete()
