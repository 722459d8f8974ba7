"""Meeting lengths across clock changes are absolute time, and start times the organiser's
clock skips or shows twice get a clear message. 2027-03-14 and 2026-11-01 are the US
nights the clocks go forward and back."""

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from groups.meetings import actions as actions
from groups.meetings import schedule
from groups.models import Meeting, Occurrence
from tests.groups.meetings.factories import make_meeting
from tests.groups.meetings.test_meetings import DENVER, meeting_form

SPRING_FORWARD = date(2027, 3, 14)
FALL_BACK = date(2026, 11, 1)


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    moderator = make_member("Mod", time_zone="America/Denver")
    add_member(group, moderator, role="moderator")
    client = Client()
    client.force_login(moderator)
    return group, moderator, client


def a_month_before_spring_forward(group, moderator):
    """One 90-minute meeting at 19:00 in Denver, a month before the clocks go forward."""
    return make_meeting(
        group,
        moderator,
        title="Circle",
        video_url="https://video.example.org/c",
        time_zone="America/Denver",
        starts_on=SPRING_FORWARD - timedelta(days=30),
        duration_minutes=90,
    )


@pytest.mark.parametrize("night", [SPRING_FORWARD, FALL_BACK])
def test_ninety_minutes_at_one_thirty_last_ninety_minutes_on_the_night_the_clocks_change(night):
    # The start 01:30 exists once on both nights (fold 0 on the autumn night: still daylight time).
    [slot] = schedule.expand(
        rule="", starts_on=night, start_time=time(1, 30), zone="America/Denver", duration_minutes=90
    )
    assert slot.end - slot.start == timedelta(minutes=90)
    wall_end = slot.end.astimezone(DENVER).strftime("%H:%M %Z")
    # Spring: 01:30 MST + 90 min = 04:00 MDT (02:00-03:00 never happens); autumn: 01:30 MDT + 90 min = 02:00 MST.
    assert wall_end == ("04:00 MDT" if night == SPRING_FORWARD else "02:00 MST")


def test_the_stored_end_agrees_with_the_calendar_files_duration(circle):
    group, moderator, client = circle
    # Weekly at 00:30 on Sundays, 150 minutes long: the meeting on the spring night runs
    # through the skipped hour.
    meeting = make_meeting(
        group,
        moderator,
        weeks=3,
        title="Late circle",
        video_url="https://video.example.org/late",
        time_zone="America/Denver",
        starts_on=SPRING_FORWARD - timedelta(days=7),
        start_time=time(0, 30),
        duration_minutes=150,
    )
    for occurrence in Occurrence.objects.filter(meeting=meeting):
        assert occurrence.end - occurrence.start == timedelta(minutes=150)
    ics = client.get(reverse("groups:meeting-ics", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk}))
    event = next(c for c in icalendar.Calendar.from_ical(ics.content).walk("VEVENT"))
    assert event.decoded("duration") == timedelta(minutes=150)


def test_moving_a_date_onto_the_spring_night_keeps_its_length(circle):
    group, moderator, _client = circle
    occurrence = a_month_before_spring_forward(group, moderator).occurrences.get()
    moved = actions.move_occurrence(
        organiser=moderator, occurrence=occurrence, new_date=SPRING_FORWARD, new_time=time(1, 30)
    )
    assert moved.end - moved.start == timedelta(minutes=90)
    assert moved.start == datetime(2027, 3, 14, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_on", "start_time", "frequency", "message"),
    [
        (SPRING_FORWARD, "02:30", "once", "2:30 AM on Sunday March 14, 2027 does not exist in America/Denver"),
        (FALL_BACK, "01:30", "once", "1:30 AM on Sunday November 1, 2026 happens twice in America/Denver"),
        # A weekly series whose fourth date falls on the night the clocks go back.
        (FALL_BACK - timedelta(days=21), "01:15", "weekly", "1:15 AM on Sunday November 1, 2026 happens twice"),
    ],
)
def test_a_start_the_clock_skips_or_shows_twice_gets_a_clear_message(circle, starts_on, start_time, frequency, message):
    group, _moderator, client = circle
    data = meeting_form(starts_on=starts_on.isoformat(), start_time=start_time, frequency=frequency)
    response = client.post(reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_moving_a_date_to_a_skipped_time_gets_a_clear_message(circle):
    group, moderator, client = circle
    meeting = a_month_before_spring_forward(group, moderator)
    occurrence = meeting.occurrences.get()
    url = reverse(
        "groups:occurrence-move",
        kwargs={"group_slug": group.slug, "meeting_id": meeting.pk, "occurrence_id": occurrence.pk},
    )
    response = client.post(url, {"new_date": SPRING_FORWARD.isoformat(), "new_time": "02:15"})
    assert response.status_code == 400
    assert "does not exist in America/Denver: the clocks go forward that night" in response.content.decode()
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start


def test_clock_problem_knows_the_clear_times():
    assert schedule.clock_problem(datetime(2027, 3, 14, 3, 0, tzinfo=DENVER)) == ""
    assert schedule.clock_problem(datetime(2027, 3, 14, 2, 0, tzinfo=DENVER)) == "skipped"
    assert schedule.clock_problem(datetime(2026, 11, 1, 1, 0, tzinfo=DENVER)) == "twice"
    assert schedule.clock_problem(datetime(2026, 11, 1, 2, 0, tzinfo=DENVER)) == ""
