"""When things falter, what people see: the database out of reach (503 page), an address
we cannot read (400 page), and a meeting time the clock skips (a form message)."""

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NARROW = {"width": 320, "height": 700}


def narrow_screenshot(session, label: str) -> None:
    session.page.set_viewport_size(NARROW)
    session.page.screenshot(path=SCREENSHOTS / f"{session.name}-{label}-320.png", full_page=True)
    session.page.set_viewport_size({"width": 1280, "height": 900})


def test_the_database_out_of_reach_shows_a_calm_503_page_with_crisis_lines(open_session, make_member, monkeypatch):
    member = make_member("River")
    session = open_session("member")
    session.login_as(member)

    def unreachable(self):
        raise OperationalError("connection timeout expired")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)
    response = session.goto("/groups/")
    assert response.status == 503
    page = session.page
    expect(page.get_by_role("heading", name="We cannot reach our records just now")).to_be_visible()
    expect(page.get_by_text("nothing you wrote has been lost")).to_be_visible()
    expect(page.get_by_text("call or text 988")).to_be_visible()
    expect(page.get_by_role("link", name="Get help now", exact=True)).to_be_visible()
    session.check("database-unreachable")
    narrow_screenshot(session, "database-unreachable")


def test_an_address_we_cannot_read_gets_a_plain_400_page(open_session):
    session = open_session("visitor")
    response = session.goto("/groups/invite/%00/")
    assert response.status == 400
    expect(session.page.get_by_role("heading", name="We could not read that request")).to_be_visible()
    session.check("bad-request")


def test_a_meeting_time_the_clock_skips_gets_a_clear_message(open_session, make_group, make_member, add_member):
    group = make_group("Living with TRD", slug="trd")
    moderator = make_member("Maple")
    add_member(group, moderator, role="moderator")
    session = open_session("moderator")
    session.login_as(moderator)
    session.goto("/groups/trd/meetings/new/")
    page = session.page
    page.get_by_label("Title").fill("Night owls")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Video link (https)").fill("https://video.example.org/owls")
    page.get_by_label("Time zone").select_option("America/Denver")
    page.get_by_label("First date").fill("2027-03-14")
    page.get_by_label("Start time").fill("02:30")
    page.get_by_label("Repeats").select_option("once")
    page.get_by_role("button", name="Schedule").click()
    message = "2:30 AM on Sunday March 14, 2027 does not exist in America/Denver: the clocks go forward that night."
    expect(page.get_by_text(message)).to_be_visible()
    session.check("meeting-time-skipped")
    narrow_screenshot(session, "meeting-time-skipped")
