"""Meetings: who opens a meeting or a date, and who gets its video link (docs/safety.md
rule 9: only with a confirmed RSVP, never on a public page, in a feed readable by others,
or in search).

The video link rule is a pair: ``can_see_video_link`` for a date's page and
``video_link_in_file`` for calendar files, which share one core; ``rsvps_with_link_q`` is
the same rule as a filter on a member's RSVPs.
"""

from datetime import timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from groups.access.groups import can_read
from groups.models import Group, Meeting, Occurrence, Rsvp


def get_meeting_for_reader(user, group: Group, meeting_id: int) -> Meeting:
    if not can_read(user, group):
        raise Http404("No such meeting.")
    meeting = Meeting.objects.filter(group=group, pk=meeting_id).select_related("group").first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def get_occurrence_for_reader(user, group: Group, meeting_id: int, occurrence_id: int) -> Occurrence:
    meeting = get_meeting_for_reader(user, group, meeting_id)
    occurrence = Occurrence.objects.filter(meeting=meeting, pk=occurrence_id).select_related("meeting__group").first()
    if occurrence is None:
        raise Http404("No such date.")
    return occurrence


def rsvps_with_link_q(*, now) -> Q:
    """RSVPs whose holder may have the link: confirmed (never the waitlist), on a date
    neither cancelled nor over."""
    return Q(status=Rsvp.Status.CONFIRMED, occurrence__is_cancelled=False, occurrence__end__gt=now)


def _rsvp_gives_link(user_id, occurrence, rsvp, now) -> bool:
    """``rsvps_with_link_q`` for one RSVP, and a link to give."""
    return bool(
        occurrence.meeting.video_url
        and rsvp is not None
        and rsvp.status == Rsvp.Status.CONFIRMED
        and rsvp.user_id == user_id
        and not occurrence.is_cancelled
        and occurrence.end > now
    )


def can_see_video_link(user, occurrence, rsvp, *, now=None) -> bool:
    """A date's page: the link for a confirmed RSVP of a member who still reads the group,
    not for a cancelled or past date, and (where the organiser chose) only from some
    minutes before the start."""
    now = now or timezone.now()
    meeting = occurrence.meeting
    if not _rsvp_gives_link(user.pk, occurrence, rsvp, now) or not can_read(user, meeting.group):
        return False
    opens = meeting.link_opens_minutes_before
    return opens is None or now >= occurrence.start - timedelta(minutes=opens)


def video_link_in_file(occurrence, rsvp, *, now=None) -> bool:
    """A calendar file (a date's, the personal feed's) cannot open later, so it carries the
    link only where the organiser chose no opening time. Call for dates of groups the
    member reads (the feed lists only those, a date's file checks the reader first)."""
    now = now or timezone.now()
    user_id = rsvp.user_id if rsvp is not None else None
    return _rsvp_gives_link(user_id, occurrence, rsvp, now) and occurrence.meeting.link_opens_minutes_before is None
