"""Meetings: schedules across time zones, RSVPs with capacity and a waitlist, changes to
single dates, reminders, and calendar files checked by parsing them back."""

import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.core import pagecache
from community.core.errors import ActionRefused
from community.models import Notification
from groups.meetings import actions as actions
from groups.meetings import schedule
from groups.meetings.reminders import send_due_reminders
from groups.models import CalendarFeed, Meeting, Membership, Occurrence, Rsvp
from tests.groups.meetings.factories import make_meeting, weekly

DENVER = ZoneInfo("America/Denver")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    people = {name: make_member(name) for name in ["Mod", "Ann", "Ben", "Cy", "Outsider"]}
    add_member(group, people["Mod"], role="moderator")
    for name in ["Ann", "Ben", "Cy"]:
        add_member(group, people[name])
    return group, people


# --- schedules and time zones ---------------------------------------------------------------------------


def test_weekly_meeting_stays_at_local_time_across_daylight_saving():
    # 2026: the US leaves daylight saving on November 1, the UK on October 25.
    rule = schedule.build_rule(
        frequency="weekly", starts_on=date(2026, 10, 15), start_time=time(19, 0), zone="America/Denver", count=4
    )
    slots = schedule.expand(
        rule=rule, starts_on=date(2026, 10, 15), start_time=time(19, 0), zone="America/Denver", duration_minutes=60
    )
    assert [s.start.astimezone(DENVER).strftime("%H:%M %Z") for s in slots] == [
        "19:00 MDT",
        "19:00 MDT",
        "19:00 MDT",
        "19:00 MST",
    ]
    # A member in London sees the right local time each week, which shifts twice.
    assert [s.start.astimezone(LONDON).strftime("%a %H:%M %Z") for s in slots] == [
        "Fri 02:00 BST",
        "Fri 02:00 BST",
        "Fri 01:00 GMT",
        "Fri 02:00 GMT",
    ]


def test_monthly_on_the_second_tuesday_until_a_date():
    rule = schedule.build_rule(
        frequency="monthly",
        starts_on=date(2026, 12, 8),
        start_time=time(18, 30),
        zone="America/New_York",
        until=date(2027, 3, 9),
    )
    assert "BYDAY=+2TU" in rule
    days = [
        s.start.astimezone(ZoneInfo("America/New_York")).date()
        for s in schedule.expand(
            rule=rule,
            starts_on=date(2026, 12, 8),
            start_time=time(18, 30),
            zone="America/New_York",
            duration_minutes=60,
        )
    ]
    assert days == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    assert schedule.describe_rule(rule, starts_on=date(2026, 12, 8)) == "Monthly on the second Tuesday"


def test_every_other_week():
    rule = schedule.build_rule(
        frequency="biweekly", starts_on=date(2027, 1, 4), start_time=time(12, 0), zone="UTC", count=3
    )
    slots = schedule.expand(
        rule=rule, starts_on=date(2027, 1, 4), start_time=time(12, 0), zone="UTC", duration_minutes=30
    )
    assert [s.start.date() for s in slots] == [date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1)]


def test_viewer_sees_their_zone_and_the_organisers_beside_it(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], starts_on=date(2027, 1, 7), count=2)
    people["Ann"].time_zone = "Europe/London"
    people["Ann"].save()
    client.force_login(people["Ann"])
    occurrence = meeting.occurrences.first()
    html = client.get(occurrence.get_absolute_url()).content.decode()
    # 19:00 in Denver is 02:00 the next day in London.
    assert "2:00 AM" in html
    assert "GMT" in html
    assert "7:00 PM MST organiser's time" in html


# --- scheduling: happy path and bad input -------------------------------------------------------------


def meeting_form(**changes):
    data = {
        "title": "Evening circle",
        "kind": "online",
        "video_url": "https://video.example.org/r",
        "time_zone": "America/Denver",
        "starts_on": (timezone.now() + timedelta(days=3)).date().isoformat(),
        "start_time": "19:00",
        "duration_minutes": "90",
        "frequency": "weekly",
        "count": "",
        "ends_on": "",
        "capacity": "",
    }
    return {**data, **changes}


def test_moderator_schedules_a_year_of_weekly_meetings_in_a_few_queries(client, circle, django_assert_max_num_queries):
    group, people = circle
    client.force_login(people["Mod"])
    client.get(reverse("community:about"))
    # Expanding a year of dates costs one read and one bulk insert, not a query per date.
    with django_assert_max_num_queries(20):
        response = client.post(reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), meeting_form())
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert meeting.rrule == "FREQ=WEEKLY"
    assert 52 <= meeting.occurrences.count() <= 54


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2020-01-01"}, "The last date is before the first date."),
        ({"duration_minutes": "0"}, "greater than or equal to 1"),
        ({"duration_minutes": "721"}, "less than or equal to 720"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"video_url": "http://video.example.org/r"}, "must start with https://"),
        ({"video_url": ""}, "Online meetings need a video link."),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"frequency": "monthly", "count": "3", "ends_on": "2030-01-01"}, "not both"),
    ],
)
def test_bad_schedules_get_a_clear_message_and_nothing_is_saved(client, circle, changes, message):
    group, people = circle
    client.force_login(people["Mod"])
    response = client.post(reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), meeting_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.exists()
    assert not Occurrence.objects.exists()


def test_a_rule_that_gives_no_date_is_refused(circle):
    group, people = circle
    with pytest.raises(ActionRefused, match="gives no dates"):
        make_meeting(
            group,
            people["Mod"],
            title="Never",
            video_url="https://v.example.org",
            starts_on=date(2027, 1, 1),
            start_time=time(10, 0),
            duration_minutes=30,
            rrule="FREQ=WEEKLY;UNTIL=20200101T000000Z",
        )
    assert not Meeting.objects.exists()


def test_members_cannot_schedule(client, circle):
    group, people = circle
    client.force_login(people["Ann"])
    response = client.post(reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), meeting_form())
    assert response.status_code == 404
    assert not Meeting.objects.exists()


# --- RSVP, capacity and the waitlist -------------------------------------------------------------------


def test_capacity_fills_then_a_first_come_waitlist_and_promotion(circle):
    group, people = circle
    occurrence = weekly(group, people["Mod"], capacity=1, count=1).occurrences.get()
    assert actions.rsvp(user=people["Ann"], occurrence=occurrence).status == "confirmed"
    assert actions.rsvp(user=people["Ben"], occurrence=occurrence).status == "waitlisted"
    assert actions.rsvp(user=people["Cy"], occurrence=occurrence).status == "waitlisted"
    with pytest.raises(ActionRefused, match="already RSVP'd"):
        actions.rsvp(user=people["Ben"], occurrence=occurrence)
    actions.cancel_rsvp(user=people["Ann"], occurrence=occurrence)
    statuses = dict(Rsvp.objects.values_list("user__display_name", "status"))
    assert statuses == {"Ann": "cancelled", "Ben": "confirmed", "Cy": "waitlisted"}
    assert Notification.objects.get(kind="waitlist_promoted").recipient == people["Ben"]
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1


def test_no_promotion_once_the_meeting_has_started(circle):
    group, people = circle
    occurrence = weekly(group, people["Mod"], capacity=1, count=1).occurrences.get()
    actions.rsvp(user=people["Ann"], occurrence=occurrence)
    actions.rsvp(user=people["Ben"], occurrence=occurrence)
    Occurrence.objects.filter(pk=occurrence.pk).update(start=timezone.now() - timedelta(minutes=5))
    actions.cancel_rsvp(user=people["Ann"], occurrence=occurrence)
    assert Rsvp.objects.get(user=people["Ben"]).status == "waitlisted"


@pytest.mark.parametrize("when", ["past", "cancelled"])
def test_rsvp_to_a_past_or_cancelled_date_is_refused(circle, when):
    group, people = circle
    occurrence = weekly(group, people["Mod"], count=1).occurrences.get()
    if when == "past":
        Occurrence.objects.filter(pk=occurrence.pk).update(start=timezone.now() - timedelta(hours=1))
    else:
        actions.cancel_occurrence(organiser=people["Mod"], occurrence=occurrence)
    occurrence.refresh_from_db()
    with pytest.raises(ActionRefused):
        actions.rsvp(user=people["Ann"], occurrence=occurrence)
    assert not Rsvp.objects.exists()


def test_non_member_cannot_rsvp_and_gets_a_404(client, circle):
    group, people = circle
    occurrence = weekly(group, people["Mod"], count=1).occurrences.get()
    client.force_login(people["Outsider"])
    url = reverse(
        "groups:occurrence-rsvp",
        kwargs={"group_slug": group.slug, "meeting_id": occurrence.meeting_id, "occurrence_id": occurrence.pk},
    )
    assert client.post(url).status_code == 404
    assert not Rsvp.objects.exists()


def test_forged_occurrence_of_another_meeting_is_a_404(client, circle):
    group, people = circle
    first = weekly(group, people["Mod"], count=1)
    second = weekly(group, people["Mod"], count=1)
    client.force_login(people["Ann"])
    url = reverse(
        "groups:occurrence-rsvp",
        kwargs={"group_slug": group.slug, "meeting_id": first.pk, "occurrence_id": second.occurrences.get().pk},
    )
    assert client.post(url).status_code == 404


def test_capacity_cannot_drop_below_who_is_going(circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], capacity=5, count=1)
    occurrence = meeting.occurrences.get()
    actions.rsvp(user=people["Ann"], occurrence=occurrence)
    actions.rsvp(user=people["Ben"], occurrence=occurrence)
    with pytest.raises(ActionRefused, match="cannot be lower"):
        actions.edit_meeting(organiser=people["Mod"], meeting=meeting, capacity=1)
    meeting.refresh_from_db()
    assert meeting.capacity == 5


def test_rsvp_to_every_date_takes_each_and_later_ones(circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=3)
    assert actions.rsvp_series(user=people["Ann"], meeting=meeting) == 3
    assert Rsvp.objects.filter(user=people["Ann"], status="confirmed").count() == 3
    actions.cancel_series_rsvp(user=people["Ann"], meeting=meeting)
    assert Rsvp.objects.filter(user=people["Ann"], status="confirmed").count() == 0


def test_leaving_the_group_frees_the_seats(circle):
    from groups.membership.actions import leave_group

    group, people = circle
    occurrence = weekly(group, people["Mod"], capacity=1, count=1).occurrences.get()
    actions.rsvp(user=people["Ann"], occurrence=occurrence)
    actions.rsvp(user=people["Ben"], occurrence=occurrence)
    leave_group(user=people["Ann"], group=group)
    assert Rsvp.objects.get(user=people["Ben"]).status == "confirmed"


# --- the video link --------------------------------------------------------------------------------------


def test_video_link_only_for_confirmed_rsvps(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], capacity=1, count=1)
    occurrence = meeting.occurrences.get()
    link = "https://video.example.org/room-4821"
    client.force_login(people["Ann"])
    assert link not in client.get(occurrence.get_absolute_url()).content.decode()
    assert link not in client.get(meeting.get_absolute_url()).content.decode()
    client.post(
        reverse(
            "groups:occurrence-rsvp",
            kwargs={"group_slug": group.slug, "meeting_id": meeting.pk, "occurrence_id": occurrence.pk},
        )
    )
    assert link in client.get(occurrence.get_absolute_url()).content.decode()
    client.force_login(people["Ben"])  # waitlisted: no link
    actions.rsvp(user=people["Ben"], occurrence=occurrence)
    assert link not in client.get(occurrence.get_absolute_url()).content.decode()


def test_video_link_can_wait_until_shortly_before_the_start(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=1, link_opens_minutes_before=15)
    occurrence = meeting.occurrences.get()
    actions.rsvp(user=people["Ann"], occurrence=occurrence)
    client.force_login(people["Ann"])
    assert "video.example.org" not in client.get(occurrence.get_absolute_url()).content.decode()
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=timezone.now() + timedelta(minutes=10), end=timezone.now() + timedelta(minutes=100)
    )
    assert "video.example.org" in client.get(occurrence.get_absolute_url()).content.decode()


# --- changing one date or the series ---------------------------------------------------------------------


def test_cancelling_one_date_tells_its_people_and_leaves_the_rest(circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=3)
    first, second, _ = meeting.occurrences.order_by("start")
    actions.rsvp(user=people["Ann"], occurrence=first)
    actions.rsvp(user=people["Ben"], occurrence=second)
    actions.cancel_occurrence(organiser=people["Mod"], occurrence=first, note="Room unavailable")
    assert Notification.objects.get(kind="meeting_changed").recipient == people["Ann"]
    assert list(meeting.occurrences.order_by("start").values_list("is_cancelled", flat=True)) == [True, False, False]


def test_moving_one_date_keeps_its_rsvps_and_tells_them(circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=2)
    first = meeting.occurrences.order_by("start").first()
    actions.rsvp(user=people["Ann"], occurrence=first)
    new_day = first.start.astimezone(DENVER).date() + timedelta(days=1)
    actions.move_occurrence(organiser=people["Mod"], occurrence=first, new_date=new_day, new_time=time(18, 0))
    first.refresh_from_db()
    assert first.is_moved
    assert first.start.astimezone(DENVER).strftime("%H:%M") == "18:00"
    assert Rsvp.objects.get(occurrence=first).status == "confirmed"
    assert Notification.objects.get(kind="meeting_changed").recipient == people["Ann"]


def test_editing_the_series_changes_future_dates_and_keeps_unchanged_rsvps(circle):
    group, people = circle
    start = (timezone.now() + timedelta(days=1)).astimezone(DENVER).date()
    meeting = weekly(group, people["Mod"], starts_on=start, count=4)
    dates = list(meeting.occurrences.order_by("start"))
    actions.rsvp(user=people["Ann"], occurrence=dates[0])
    actions.rsvp(user=people["Ben"], occurrence=dates[1])
    # Two meetings instead of four: the first two dates keep their time and their people.
    rule = schedule.build_rule(
        frequency="weekly", starts_on=start, start_time=time(19, 0), zone="America/Denver", count=2
    )
    actions.edit_meeting(organiser=people["Mod"], meeting=meeting, rrule=rule, title="Evening circle (short run)")
    assert meeting.occurrences.count() == 2
    assert set(Rsvp.objects.values_list("occurrence_id", flat=True)) == {dates[0].pk, dates[1].pk}
    # A new time moves every future date: their people are told, the old rows go.
    actions.edit_meeting(
        organiser=people["Mod"],
        meeting=meeting,
        start_time=time(20, 0),
        rrule=schedule.build_rule(
            frequency="weekly", starts_on=start, start_time=time(20, 0), zone="America/Denver", count=2
        ),
    )
    assert {o.start.astimezone(DENVER).hour for o in meeting.occurrences.all()} == {20}
    assert Notification.objects.filter(kind="meeting_changed").count() == 2
    meeting.refresh_from_db()
    assert meeting.sequence == 2


# --- reminders ---------------------------------------------------------------------------------------------


def test_reminders_go_once_each_and_never_for_cancelled_dates_or_leavers(circle, django_capture_on_commit_callbacks):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=2)
    soon, later = meeting.occurrences.order_by("start")
    Occurrence.objects.filter(pk=soon.pk).update(
        start=timezone.now() + timedelta(minutes=50), end=timezone.now() + timedelta(minutes=140)
    )
    Occurrence.objects.filter(pk=later.pk).update(
        start=timezone.now() + timedelta(hours=20), end=timezone.now() + timedelta(hours=22)
    )
    for name in ["Ann", "Ben", "Cy"]:
        actions.rsvp(user=people[name], occurrence=soon)
    actions.rsvp(user=people["Ann"], occurrence=later)
    people["Cy"].meeting_reminders = "none"
    people["Cy"].save()
    Membership.objects.filter(user=people["Ben"]).update(status="left")
    with django_capture_on_commit_callbacks(execute=True):
        first_run = send_due_reminders()
        second_run = send_due_reminders()  # a restart or a second worker sends nothing again
    assert (first_run, second_run) == (3, 0)  # Ann: 24h + 1h for soon, 24h for later
    assert {m.to[0] for m in mail.outbox} == {people["Ann"].email}
    body = mail.outbox[0].body
    assert "988" in body
    assert "video.example.org" not in body
    actions.cancel_occurrence(organiser=people["Mod"], occurrence=later)
    Rsvp.objects.update(reminded_long_at=None, reminded_short_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 2  # the cancelled date gets none


# --- calendar files -----------------------------------------------------------------------------------


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_ics_round_trip_matches_what_the_site_shows(client, circle):
    group, people = circle
    # Six Thursdays across the start of US daylight saving (March 14, 2027).
    meeting = weekly(group, people["Mod"], starts_on=date(2027, 3, 4), count=6)
    dates = list(meeting.occurrences.order_by("start"))
    actions.cancel_occurrence(organiser=people["Mod"], occurrence=dates[3])
    moved = dates[4]
    local = moved.start.astimezone(DENVER)
    actions.move_occurrence(
        organiser=people["Mod"], occurrence=moved, new_date=local.date() + timedelta(days=1), new_time=time(18, 0)
    )
    client.force_login(people["Ann"])
    response = client.get(reverse("groups:meeting-ics", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk}))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parse(response.content)
    master = next(e for e in calendar.walk("VEVENT") if "RRULE" in e)
    assert master["DTSTART"].params["TZID"] == "America/Denver"
    assert any(component.name == "VTIMEZONE" for component in calendar.walk())
    assert "video.example.org" not in response.content.decode()  # Ann has not RSVP'd
    expanded = recurring_ical_events.of(calendar).between(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )
    seen = sorted(e["DTSTART"].dt.astimezone(UTC) for e in expanded)
    site = sorted(o.start for o in Occurrence.objects.filter(meeting=meeting, is_cancelled=False))
    assert seen == site
    assert len(seen) == 5
    # Local wall-clock time holds across the change: 19:00 in Denver before and after.
    assert [
        e["DTSTART"].dt.astimezone(DENVER).strftime("%H:%M") for e in sorted(expanded, key=lambda e: e["DTSTART"].dt)
    ] == ["19:00", "19:00", "19:00", "18:00", "19:00"]
    # Stable UIDs across downloads.
    again = parse(
        client.get(reverse("groups:meeting-ics", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk})).content
    )
    assert {e["UID"] for e in again.walk("VEVENT")} == {e["UID"] for e in calendar.walk("VEVENT")}


def test_ics_has_the_link_only_for_someone_who_rsvpd(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=2)
    actions.rsvp(user=people["Ann"], occurrence=meeting.occurrences.first())
    url = reverse("groups:meeting-ics", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk})
    client.force_login(people["Ann"])
    assert "video.example.org/room-4821" in parse(client.get(url).content).to_ical().decode().replace("\r\n ", "")
    client.force_login(people["Ben"])
    assert "video.example.org" not in client.get(url).content.decode()
    client.force_login(people["Outsider"])
    assert client.get(url).status_code == 404


def test_a_dates_add_to_calendar_gives_that_date_with_the_link_only_for_a_confirmed_seat(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], capacity=1, count=4)
    second = meeting.occurrences.order_by("start")[1]
    actions.rsvp(user=people["Ann"], occurrence=second)
    actions.rsvp(user=people["Ben"], occurrence=second)  # full: Ben waits
    kwargs = {"group_slug": group.slug, "meeting_id": meeting.pk, "occurrence_id": second.pk}
    page = reverse("groups:occurrence-detail", kwargs=kwargs)
    url = reverse("groups:occurrence-ics", kwargs=kwargs)
    client.force_login(people["Ben"])
    assert url in client.get(page).content.decode()
    body = client.get(url)
    assert body["Content-Type"].startswith("text/calendar")
    [event] = parse(body.content).walk("VEVENT")
    assert "RRULE" not in event
    assert event.decoded("DTSTART") == second.start
    assert "video.example.org" not in body.content.decode()  # the waitlist gets no link
    client.force_login(people["Ann"])
    assert "video.example.org/room-4821" in client.get(url).content.decode().replace("\r\n ", "")
    client.force_login(people["Outsider"])
    assert client.get(url).status_code == 404


def test_private_feed_lists_rsvps_across_groups_and_revokes(client, circle, make_group, add_member):
    group, people = circle
    other = make_group("Other")
    add_member(other, people["Ann"])
    add_member(other, people["Mod"], role="moderator")
    mine = weekly(group, people["Mod"], count=2)
    theirs = weekly(other, people["Mod"], count=1, zone="Europe/London")
    actions.rsvp(user=people["Ann"], occurrence=mine.occurrences.first())
    actions.rsvp(user=people["Ann"], occurrence=theirs.occurrences.first())
    actions.cancel_occurrence(organiser=people["Mod"], occurrence=theirs.occurrences.first())
    feed = CalendarFeed.objects.create(user=people["Ann"])
    url = reverse("groups:calendar-feed", kwargs={"token": feed.token})
    response = client.get(url)  # calendar apps do not log in
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=900"
    events = list(parse(response.content).walk("VEVENT"))
    assert len(events) == 2
    assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]
    client.force_login(people["Ann"])
    client.post(reverse("groups:calendar-feed-settings"), {"action": "create"})
    client.logout()
    assert client.get(url).status_code == 404
    new_token = CalendarFeed.objects.get(user=people["Ann"]).token
    assert client.get(reverse("groups:calendar-feed", kwargs={"token": new_token})).status_code == 200
    assert client.get(reverse("groups:calendar-feed", kwargs={"token": "guess"})).status_code == 404


def test_private_feed_is_cached_yet_shows_every_change_at_once(client, circle):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=3)
    first, second = meeting.occurrences.order_by("start")[:2]
    actions.rsvp(user=people["Ann"], occurrence=first)
    feed = CalendarFeed.objects.create(user=people["Ann"])
    url = reverse("groups:calendar-feed", kwargs={"token": feed.token})
    response = client.get(url)
    etag = response["ETag"]
    assert client.get(url).content == response.content  # the cached copy
    # A calendar app that already has this version gets a 304 and no body, still private.
    not_modified = client.get(url, headers={"if-none-match": etag})
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified["Cache-Control"] == "private, max-age=900"

    def statuses():
        return sorted(str(event["STATUS"]) for event in parse(client.get(url).content).walk("VEVENT"))

    actions.rsvp(user=people["Ann"], occurrence=second)
    assert statuses() == ["CONFIRMED", "CONFIRMED"]
    actions.cancel_occurrence(organiser=people["Mod"], occurrence=second)
    assert statuses() == ["CANCELLED", "CONFIRMED"]
    Meeting.objects.filter(pk=meeting.pk).update(title="Renamed circle")
    assert "Renamed circle" in client.get(url).content.decode()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
    # Leaving the group takes its dates (and their video link) out of the feed at once.
    Membership.objects.filter(group=group, user=people["Ann"]).update(status=Membership.Status.LEFT)
    assert statuses() == []


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Bring a cup of tea."},
        {"video_url": "https://video.example.org/new-room"},
        {"kind": "in_person", "place_name": "Library room 2", "address": "1 Main St"},
        {"link_opens_minutes_before": 15},
        {"sequence": 7},
    ],
)
def test_any_change_to_what_the_feed_shows_gives_a_fresh_feed(client, circle, change):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=2)
    actions.rsvp(user=people["Ann"], occurrence=meeting.occurrences.first())
    url = reverse("groups:calendar-feed", kwargs={"token": CalendarFeed.objects.create(user=people["Ann"]).token})
    before = client.get(url)
    Meeting.objects.filter(pk=meeting.pk).update(**change)
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def test_a_kept_feed_is_served_without_a_query_until_a_write_or_a_date_ends(
    client, circle, monkeypatch, django_assert_num_queries
):
    group, people = circle
    meeting = weekly(group, people["Mod"], count=2)
    first = meeting.occurrences.order_by("start").first()
    actions.rsvp(user=people["Ann"], occurrence=first)
    url = reverse("groups:calendar-feed", kwargs={"token": CalendarFeed.objects.create(user=people["Ann"]).token})
    with CaptureQueriesContext(connection) as queries:
        built = client.get(url)
    read = {
        table for query in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"])
    }
    assert read <= pagecache.MEETING_TABLES  # every write that could change the feed is watched
    with django_assert_num_queries(0):
        kept = client.get(url)
    assert (kept.content, kept["ETag"]) == (built.content, built["ETag"])
    with django_assert_num_queries(0):
        assert client.get(url, headers={"if-none-match": built["ETag"]}).status_code == 304
    # The date ends: its video link leaves the file, though nothing was written.
    assert "video.example.org" in built.content.decode()
    after_the_end = first.end + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after_the_end)
    assert "video.example.org" not in client.get(url).content.decode()


# --- query counts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_group_calendar_my_meetings_and_feed_do_not_grow_with_meetings(
    warm_client, make_group, make_member, add_member, django_assert_max_num_queries, size
):
    member, organiser = make_member("Member"), make_member("Organiser")
    groups = []
    for _ in range(size):
        group = make_group()
        add_member(group, member)
        add_member(group, organiser, role="moderator")
        groups.append(group)
        meeting = weekly(group, organiser, count=4)
        for occurrence in meeting.occurrences.all():
            actions.rsvp(user=member, occurrence=occurrence)
    warm_client.force_login(member)
    with django_assert_max_num_queries(8):
        assert warm_client.get(reverse("groups:meeting-list", kwargs={"group_slug": groups[0].slug})).status_code == 200
    with django_assert_max_num_queries(9):
        response = warm_client.get(reverse("groups:my-meetings"))
    assert len(response.context["going"]) == min(size * 4, 20)
    feed = CalendarFeed.objects.create(user=member)
    # Session and user (middleware), the feed's token, the member's groups, the values the
    # feed's digest is made of, and (nothing cached yet) the RSVPs with their dates joined.
    with django_assert_max_num_queries(6):
        assert warm_client.get(reverse("groups:calendar-feed", kwargs={"token": feed.token})).status_code == 200


# --- the last seat, for real ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="row locks are tested on PostgreSQL")
def test_many_people_wanting_the_last_seat_at_once_never_overfill(make_group, make_member, add_member):
    group = make_group()
    organiser = make_member("Organiser")
    add_member(group, organiser, role="moderator")
    people = [make_member() for _ in range(8)]
    for person in people:
        add_member(group, person)
    occurrence = weekly(group, organiser, capacity=1, count=1).occurrences.get()
    barrier = threading.Barrier(len(people))

    def take(person):
        try:
            barrier.wait()
            actions.rsvp(user=person, occurrence=occurrence)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Rsvp.objects.filter(occurrence=occurrence, status="confirmed").count() == 1
    assert Rsvp.objects.filter(occurrence=occurrence, status="waitlisted").count() == 7
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1


def test_every_meeting_page_shows_the_meeting_rules(client, circle):
    """docs/safety.md rule 9: confidentiality, no recording and "I" statements on every meeting page."""
    group, people = circle
    meeting = weekly(group, people["Mod"], count=1)
    client.force_login(people["Ann"])
    for url in (meeting.get_absolute_url(), meeting.occurrences.get().get_absolute_url()):
        html = client.get(url).content.decode()
        assert "What is shared in the meeting stays in the meeting." in html
        assert "No recording" in html
        assert "Speak for yourself" in html
