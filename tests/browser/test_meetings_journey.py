"""Meetings in the browser: schedule, RSVP, see the link, download the calendar file,
and a waitlisted member promoted when someone cancels."""

from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Meeting, Rsvp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_schedule_rsvp_link_calendar_file_and_waitlist_promotion(open_session, make_group, make_member, add_member):
    group = make_group("Living with TRD", slug="trd")
    moderator, ann, ben = make_member("Maple"), make_member("Ann"), make_member("Ben")
    add_member(group, moderator, role="moderator")
    add_member(group, ann)
    add_member(group, ben)
    ben.time_zone = "Europe/London"
    ben.save()

    mod = open_session("moderator")
    mod.login_as(moderator)
    mod.goto("/groups/trd/meetings/")
    expect(mod.page.get_by_text("No meetings yet.")).to_be_visible()
    mod.page.get_by_role("link", name="Schedule a meeting").click()
    page = mod.page
    page.get_by_label("Title").fill("Tuesday evening circle")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Video link (https)").fill("https://video.example.org/room-tuesday")
    page.get_by_label("Time zone").select_option("America/Denver")
    first_day = (timezone.now() + timedelta(days=3)).date()
    page.get_by_label("First date").fill(first_day.isoformat())
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("Or: number of meetings (optional)").fill("6")
    page.get_by_label("Places (optional)").fill("1")
    mod.check("meeting-form")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_text("The meeting is scheduled.")).to_be_visible()
    expect(page.get_by_text("Every", exact=False).first).to_be_visible()
    mod.check("meeting-detail")
    meeting = Meeting.objects.get()
    assert meeting.rrule == "FREQ=WEEKLY;COUNT=6"
    first = meeting.occurrences.order_by("start").first()

    member = open_session("ann")
    member.login_as(ann)
    member.goto(first.get_absolute_url())
    assert member.page.get_by_text("video.example.org").count() == 0
    member.check("occurrence-before-rsvp")
    member.page.get_by_role("button", name="RSVP").click()
    expect(member.page.get_by_text("You are going.").first).to_be_visible()
    expect(member.page.get_by_role("link", name="https://video.example.org/room-tuesday")).to_be_visible()
    member.check("occurrence-going")
    with member.page.expect_download() as download_info:
        member.page.get_by_role("link", name="Add this date to calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    [event] = calendar.walk("VEVENT")  # this date only, not the weekly series
    assert "RRULE" not in event
    assert event.decoded("DTSTART") == first.start
    assert str(event["SUMMARY"]) == "Tuesday evening circle"
    assert "room-tuesday" in str(event["DESCRIPTION"])

    second = open_session("ben")
    second.login_as(ben)
    second.goto(first.get_absolute_url())
    expect(second.page.get_by_text("It is full: you would join the waitlist.")).to_be_visible()
    expect(second.page.get_by_text("organiser's time")).to_be_visible()  # Ben is in London
    second.page.get_by_role("button", name="RSVP").click()
    expect(second.page.get_by_text("you are on the waitlist")).to_be_visible()
    expect(second.page.get_by_text("You are number 1 on the waitlist")).to_be_visible()
    assert second.page.get_by_text("video.example.org").count() == 0
    second.check("occurrence-waitlisted")

    member.page.get_by_role("button", name="Cancel RSVP").click()
    assert Rsvp.objects.get(user=ben).status == "confirmed"
    second.goto("/notifications/")
    second.page.get_by_role("link", name="A seat opened up for you at a meeting in Living with TRD").click()
    expect(second.page.get_by_text("You are going.").first).to_be_visible()
    expect(second.page.get_by_role("link", name="https://video.example.org/room-tuesday")).to_be_visible()
    second.check("occurrence-promoted")

    second.goto("/groups/meetings/")
    expect(second.page.get_by_role("heading", name="Your next meetings")).to_be_visible()
    second.page.get_by_role("button", name="Create my calendar address").click()
    expect(second.page.get_by_label("Your private calendar address")).to_be_visible()
    second.check("my-meetings")
