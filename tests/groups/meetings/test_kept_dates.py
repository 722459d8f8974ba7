"""The lists of coming dates on a member's meetings page and home, kept between requests
(groups/posts/queries.py ``_kept_dates``): read once, then served without a query until a
write to a date, meeting, group or RSVP, or until their first date ends."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.core import pagecache
from groups.meetings import actions
from groups.models import Group, Meeting, Occurrence
from groups.posts.queries import upcoming_dates
from tests.groups.meetings.factories import make_meeting, weekly

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(small_circle):
    group, people = small_circle
    meeting = weekly(group, people["Mod"], count=3)
    return group, people, meeting


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sections(client) -> tuple[str, str]:
    """What the meetings page lists under "Your next meetings" and under "Also coming up"."""
    html = client.get(reverse("groups:my-meetings")).content.decode()
    going, _, coming = html.partition('id="going-title"')[2].partition('id="coming-title"')
    return going, coming.partition('id="feed-title"')[0]


def date_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if "groups_occurrence" in query["sql"]]


def test_a_second_look_asks_the_database_for_no_date(circle):
    group, people, meeting = circle
    actions.rsvp(user=people["Ann"], occurrence=meeting.occurrences.order_by("start").first())
    ann = client_of(people["Ann"])
    with CaptureQueriesContext(connection) as built:
        first = sections(ann)
    read = {table for sql in date_queries(built) for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql)}
    assert "groups_occurrence" in read
    assert read <= pagecache.DATE_TABLES  # every write that could change the lists is watched
    with CaptureQueriesContext(connection) as captured:
        assert sections(ann) == first
    assert date_queries(captured) == []
    assert "Going" in first[0]
    assert "Evening circle" in first[1]


def first_date(meeting) -> Occurrence:
    return meeting.occurrences.order_by("start").first()


def test_the_meetings_page_reads_both_kept_lists_in_one_round_trip(circle, monkeypatch):
    from django.core.cache import cache

    group, people, meeting = circle
    actions.rsvp(user=people["Ann"], occurrence=meeting.occurrences.order_by("start").first())
    ann = client_of(people["Ann"])
    first = sections(ann)
    asked = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: asked.append(list(keys)) or get_many(keys, *a, **k))
    assert sections(ann) == first
    dates = [keys for keys in asked if any(key.startswith(("my-upcoming:", "upcoming-dates:")) for key in keys)]
    assert len(dates) == 1
    assert {key.split(":")[0] for key in dates[0]} >= {"my-upcoming", "upcoming-dates"}


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda people, meeting: actions.rsvp(user=people["Ann"], occurrence=first_date(meeting)), "Going"),
        (
            lambda people, meeting: actions.cancel_occurrence(organiser=people["Mod"], occurrence=first_date(meeting)),
            "Cancelled",
        ),
        (lambda people, meeting: Meeting.objects.filter(pk=meeting.pk).update(title="Morning walk"), "Morning walk"),
        (lambda people, meeting: Group.objects.filter(pk=meeting.group_id).update(name="Calm Bay"), "Calm Bay"),
        (
            lambda people, meeting: make_meeting(meeting.group, people["Mod"], title="Sunday check-in"),
            "Sunday check-in",
        ),
    ],
    ids=["rsvp", "date cancelled", "meeting renamed", "group renamed", "new meeting"],
)
def test_every_write_to_what_the_lists_show_is_on_the_next_page(circle, change, shown):
    group, people, meeting = circle
    ann = client_of(people["Ann"])
    before = "".join(sections(ann))
    assert shown not in before
    change(people, meeting)
    assert shown in "".join(sections(ann))


def test_a_cancelled_rsvp_leaves_the_going_list_at_once(circle):
    group, people, meeting = circle
    actions.rsvp(user=people["Ann"], occurrence=first_date(meeting))
    ann = client_of(people["Ann"])
    assert "Going" in sections(ann)[0]
    actions.cancel_rsvp(user=people["Ann"], occurrence=first_date(meeting))
    assert "Going" not in sections(ann)[0]


def test_a_member_who_leaves_the_group_no_longer_sees_its_dates(circle):
    group, people, meeting = circle
    ann = client_of(people["Ann"])
    assert "Evening circle" in sections(ann)[1]
    people["Ann"].memberships.filter(group=group).delete()
    assert "Evening circle" not in "".join(sections(ann))


def test_one_members_rsvps_never_show_on_anothers_page(circle):
    group, people, meeting = circle
    actions.rsvp(user=people["Ann"], occurrence=first_date(meeting))
    ann, ben = client_of(people["Ann"]), client_of(people["Ben"])
    assert "Going" in sections(ann)[0]
    going, coming = sections(ben)
    assert "Going" not in going + coming
    assert "Evening circle" in coming


def test_a_date_leaves_the_lists_when_it_ends_though_nothing_was_written(circle, monkeypatch):
    group, people, meeting = circle
    first = first_date(meeting)
    actions.rsvp(user=people["Ann"], occurrence=first)
    ann = client_of(people["Ann"])
    url = first.get_absolute_url()
    assert sections(ann)[0].count(url) == 1
    home = ann.get(reverse("community:home")).content.decode()
    assert url in home
    after_the_end = first.end + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after_the_end)
    assert url not in "".join(sections(ann))
    assert url not in ann.get(reverse("community:home")).content.decode()


def test_a_list_kept_now_is_not_given_for_an_earlier_moment(circle):
    """What was still to come at an earlier moment may have ended since: a list is used
    only from the moment it was built on."""
    group, people, meeting = circle
    now = timezone.now()

    def dates(after):
        with CaptureQueriesContext(connection) as captured:
            upcoming_dates(group_ids=[group.pk], after=after, before=after + timedelta(weeks=4), limit=40)
        return date_queries(captured)

    assert dates(now)
    assert not dates(now + timedelta(seconds=1))
    assert dates(now - timedelta(seconds=1))


def test_home_shows_a_new_rsvp_at_once(circle):
    group, people, meeting = circle
    ann = client_of(people["Ann"])
    url = first_date(meeting).get_absolute_url()
    assert url not in ann.get(reverse("community:home")).content.decode()
    actions.rsvp(user=people["Ann"], occurrence=first_date(meeting))
    assert url in ann.get(reverse("community:home")).content.decode()
