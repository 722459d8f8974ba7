"""A list's date rows are kept in the process by every value they show
(groups/meetings/rows.py): whatever changes in a date, its meeting, its group, the
member's RSVP or their time zone shows at once."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from groups.meetings import actions
from groups.meetings.rows import DateRow, date_rows
from tests.groups.meetings.factories import make_meeting


def rows(client) -> str:
    page = client.get(reverse("groups:my-meetings")).content.decode()
    return page.split('id="going-title"', 1)[1].split('id="feed-title"', 1)[0]


def test_every_change_to_what_a_row_shows_shows_at_once(client, make_group, make_member, add_member):
    group, moderator, member = make_group("Circle", slug="circle"), make_member("Mod"), make_member("Ann")
    add_member(group, moderator, role="moderator")
    add_member(group, member)
    meeting = make_meeting(group, moderator, weeks=3)
    first, second = meeting.occurrences.order_by("start")[:2]
    client.force_login(member)
    assert rows(client).count("Evening circle") == 3
    assert "Going" not in rows(client)

    actions.rsvp(user=member, occurrence=first)
    assert "<strong>Going</strong>" in rows(client)

    actions.edit_meeting(organiser=moderator, meeting=meeting, title="Morning circle")
    assert rows(client).count("Morning circle") == 3
    assert "Evening circle" not in rows(client)

    actions.cancel_occurrence(organiser=moderator, occurrence=second)
    assert rows(client).count("Cancelled") == 1

    group.name = "Harbour"
    group.save()
    assert "· Harbour" in rows(client)

    before = rows(client)
    member.time_zone = "Asia/Tokyo"
    member.save()
    after = rows(client)
    assert after != before
    start = first.start.astimezone(timezone.get_fixed_timezone(timedelta(hours=9)))
    assert f"{start:%-I:%M %p}" in after


def test_a_list_reads_alike_from_dates_from_their_rows_and_from_rsvp_pairs(make_group, make_member, add_member):
    """Group pages pass dates, my meetings and home pass rows and (row, status) pairs:
    the kept list of each is the same rows."""
    group, moderator = make_group("Circle", slug="circle"), make_member("Mod")
    add_member(group, moderator, role="moderator")
    meeting = make_meeting(group, moderator, weeks=3)
    dates = list(meeting.occurrences.select_related("meeting__group").order_by("start"))
    listed = date_rows(dates)
    assert listed == date_rows([DateRow.of(date) for date in dates])
    assert listed.count("Evening circle") == 3
    going = date_rows([(dates[0], "confirmed"), (DateRow.of(dates[1]), "")], show_group=True)
    assert going.count("Going") == 1
    assert going.count("· Circle") == 2
