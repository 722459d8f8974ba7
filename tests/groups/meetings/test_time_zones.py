"""Time zones: chosen at sign-up (filled from the browser where JavaScript runs), a
searchable list with the member's region first, and in-person meetings in local time."""

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from community.core.timezones import find_zone, ordered_zones
from groups.meetings import actions as actions
from tests.groups.meetings.factories import make_meeting

SIGNUP = {
    "email": "fern@example.org",
    "display_name": "Quiet Fern",
    "password1": "gentle-rain-falls-7",
    "password2": "gentle-rain-falls-7",
    "is_adult": "on",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Europe/London", "Europe/London"), ("america/new york", "America/New_York"), ("Denver", "America/Denver")],
)
def test_sign_up_keeps_the_zone_the_member_confirmed(client, typed, stored):
    response = client.post(reverse("account_signup"), {**SIGNUP, "time_zone": typed})
    assert response.status_code == 302
    assert get_user_model().objects.get(email="fern@example.org").time_zone == stored


@pytest.mark.django_db
def test_sign_up_page_offers_the_zones_and_the_detecting_script(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'name="time_zone"' in html
    assert "data-detect-time-zone" in html
    assert 'list="id_time_zone-zones"' in html
    assert '<option value="Europe/London">London (Europe)</option>' in html
    assert 'src="/static/js/time-zone.js"' in html
    assert "data-time-zone-status" in html


def test_a_city_alone_finds_its_zone_and_nonsense_does_not():
    assert find_zone("buenos aires") == "America/Argentina/Buenos_Aires"
    assert find_zone("UTC") == "UTC"
    assert find_zone("Olympus") is None
    assert find_zone("") is None


def test_the_members_region_comes_first():
    zones = ordered_zones("Europe")
    assert zones[0].startswith("Europe/")
    assert len(zones) == len(set(zones)) == len(ordered_zones(""))


@pytest.mark.django_db
def test_profile_lists_the_members_region_first(client, make_member):
    member = make_member("River", time_zone="Australia/Sydney")
    client.force_login(member)
    html = client.get(reverse("community:profile-edit")).content.decode()
    datalist = html.split('<datalist id="id_time_zone-zones">', 1)[1]
    assert datalist.startswith('<option value="Australia/')
    assert 'value="Australia/Sydney"' in html.split("<datalist", 1)[0]


@pytest.mark.django_db
def test_an_in_person_meeting_shows_the_places_time_first(client, make_group, make_member, add_member):
    group = make_group("Denver walkers")
    organiser, visitor = make_member("Org"), make_member("Visitor", time_zone="America/New_York")
    add_member(group, organiser, role="moderator")
    add_member(group, visitor)
    starts_on = date(2027, 1, 7)
    meeting = make_meeting(
        group,
        organiser,
        weeks=1,
        title="Walk in the park",
        kind="in_person",
        video_url="",
        place_name="City Park",
        address="Denver, CO",
        time_zone="America/Denver",
        starts_on=starts_on,
        start_time=time(10, 0),
    )
    client.force_login(visitor)
    html = client.get(meeting.occurrences.get().get_absolute_url()).content.decode()
    lead = html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
    assert lead.index("10:00 AM") < lead.index("12:00 PM EST your time")
    assert "(local time there;" in lead
    assert "Thu Jan 7, 2027, 10:00 AM–11:00 AM MST" in lead
