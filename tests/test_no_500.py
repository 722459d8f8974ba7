"""No input answers 500: the inputs that once did, each pinned; dates outside a sane range
get a form message. (The property test over every URL: tests/test_no_500_property.py.)"""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.models import Meeting, Occurrence
from tests.groups.meetings.test_meetings import meeting_form, weekly


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    moderator, member = make_member("Mod"), make_member("Ann")
    add_member(group, moderator, role="moderator")
    add_member(group, member)
    return group, moderator, member


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("group", ["%00", "circle%00", "not a slug"])
def test_moderation_log_filtered_by_something_that_is_no_slug_shows_no_entries_not_500(circle, group):
    _group, moderator, _member = circle
    response = client_for(moderator).get(reverse("moderation:log") + f"?group={group}")
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["body", "title", "kind"])
def test_a_nul_character_in_a_form_is_a_bad_request_and_stores_nothing(circle, field):
    group, _moderator, member = circle
    data = {"title": "Hello", "body": "Words", "kind": "support", field: "a\x00b"}
    response = client_for(member).post(reverse("groups:post-create", kwargs={"group_slug": group.slug}), data)
    assert response.status_code == 400
    assert not group.posts.exists()


@pytest.mark.parametrize("path_tail", ["invite/%00/", "calendar/%00.ics"])
def test_a_nul_character_in_a_path_is_a_bad_request(circle, path_tail):
    _group, _moderator, member = circle
    assert client_for(member).get(f"/groups/{path_tail}").status_code in {400, 404}


@pytest.mark.parametrize(
    "after",
    [
        "9999-12-31T23:59:59.999999-23:59_1",
        "0001-01-01T00:00:00+23:59_1",
        "2026-01-01T00:00:00_1",  # no offset
        "2026-01-01T00:00:00+00:00_99999999999999999999999",
        "2026-01-01T00:00:00+00:00_-5",
        "nonsense",
    ],
)
def test_a_post_list_with_any_cursor_answers_a_page(circle, after):
    group, _moderator, member = circle
    url = reverse("groups:post-list", kwargs={"group_slug": group.slug})
    assert client_for(member).get(url, {"after": after}).status_code == 200


@pytest.mark.parametrize("starts_on", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_meeting_on_an_absurd_date_gets_a_form_message(circle, starts_on):
    group, moderator, _member = circle
    response = client_for(moderator).post(
        reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), meeting_form(starts_on=starts_on)
    )
    assert response.status_code == 400
    assert "Choose a date between" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_series_ending_on_an_absurd_date_gets_a_form_message(circle):
    group, moderator, _member = circle
    response = client_for(moderator).post(
        reverse("groups:meeting-create", kwargs={"group_slug": group.slug}), meeting_form(ends_on="9999-12-31")
    )
    assert response.status_code == 400
    assert "Choose a date between" in response.content.decode()


@pytest.mark.parametrize("new_date", ["9999-12-31", "0001-01-01"])
def test_moving_a_date_to_an_absurd_day_gets_a_form_message_and_changes_nothing(circle, new_date):
    group, moderator, _member = circle
    meeting = weekly(group, moderator, count=2)
    occurrence = meeting.occurrences.order_by("start").first()
    url = reverse(
        "groups:occurrence-move",
        kwargs={"group_slug": group.slug, "meeting_id": meeting.pk, "occurrence_id": occurrence.pk},
    )
    response = client_for(moderator).post(url, {"new_date": new_date, "new_time": "19:00"})
    assert response.status_code == 400
    assert "Choose a date between" in response.content.decode()
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start


@pytest.mark.parametrize(("start", "end"), [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-01-01")])
def test_the_log_export_with_an_absurd_date_says_so_instead_of_500(make_member, start, end):
    staff = make_member("Staff", is_staff=True)
    response = client_for(staff).get(reverse("moderation:log-export"), {"start": start, "end": end}, follow=True)
    assert response.status_code == 200
    assert "Choose a start and end date" in response.content.decode()


def test_a_sane_log_export_still_downloads(make_member):
    staff = make_member("Staff", is_staff=True)
    today = timezone.localdate()
    response = client_for(staff).get(
        reverse("moderation:log-export"), {"start": (today - timedelta(days=7)).isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_an_error_log_line_names_the_route_never_the_path(circle, caplog, monkeypatch):
    """The README promises logs never name the path (it can hold a feed token or a search)."""
    group, _moderator, member = circle
    from groups.posts import queries

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(queries, "list_page", broken)  # what every way to the list calls
    url = reverse("groups:post-list", kwargs={"group_slug": group.slug}) + "?after=secret-search-words"
    with caplog.at_level(logging.ERROR):
        assert client_for(member).get(url).status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    for record in errors:
        line = logging.getLogger().handlers[0].format(record) if logging.getLogger().handlers else record.getMessage()
        assert "/groups/" not in record.getMessage()
        assert "secret-search-words" not in line
    assert any("route=groups:post-list" in r.getMessage() for r in errors)
