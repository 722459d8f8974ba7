"""My treatment journey, as a member would keep it in the browser: three treatments, a
course of sessions, two weeks of check-ins, the chart, the printed summary, a share link
made and revoked, and the self-harm question answered yes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import JournalCheckIn, JournalSession, JournalShareLink, JournalTreatment
from tests.browser.conftest import DESKTOP, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NARROW = {"width": 320, "height": 720}
# A US Letter page at the 96 px per inch that browsers print with.
LETTER = {"width": 816, "height": 1056}


def narrow_screenshot(session, label: str) -> None:
    """The site's check() photographs desktop and 390 px; the journal is also looked at on 320 px."""
    session.page.set_viewport_size(NARROW)
    session.page.screenshot(path=SCREENSHOTS / f"{session.name}-{label}-320.png", full_page=True)
    session.page.set_viewport_size(DESKTOP)


def months_ago(months: int) -> str:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return f"{year}-{month + 1:02d}"


def add_treatment(page, *, kind, name, dose, started, ended="", weeks="", helped="", effects=(), why=""):
    page.get_by_role("link", name="Add a treatment").first.click()
    page.get_by_label("Kind of treatment").select_option(label=kind)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Dose", exact=True).fill(dose)
    page.get_by_label("Started (month)").fill(started)
    if ended:
        page.get_by_label("Stopped (month)").fill(ended)
    if weeks:
        page.get_by_label("Weeks at the full dose").fill(weeks)
    if helped:
        page.get_by_label(helped, exact=True).check()
    for effect in effects:
        page.get_by_label(effect).check()
    if why:
        page.get_by_label("Why it stopped").fill(why)
    page.get_by_role("button", name="Save treatment").click()
    page.get_by_text("Treatment saved to your journal.").wait_for()


def test_member_keeps_a_treatment_journal_prints_and_shares_the_summary(
    open_session, make_member, browser, live_server
):
    fern = make_member("Fern")
    me = open_session("journal")
    page = me.page
    me.login_as(fern)
    me.goto("/")
    account = page.get_by_role("navigation", name="Account")
    account.locator("details.account-menu > summary").click()  # the account menu opens without JavaScript
    account.get_by_role("link", name="My journey").click()
    page.wait_for_url("**/journey/")
    expect(page.get_by_text("Only you can see your journal")).to_be_visible()
    me.check("journey-empty")

    # Three treatments, one of them still going.
    add_treatment(page, kind="Medication", name="Sertraline", dose="150 mg each morning", started=months_ago(30),
                  ended=months_ago(22), weeks="20", helped="Partly", effects=["Nausea or upset stomach"],
                  why="Stopped helping")  # fmt: skip
    me.check("treatment-detail")
    add_treatment(page, kind="TMS (transcranial magnetic stimulation)", name="TMS, left side", dose="36 sessions",
                  started=months_ago(14), ended=months_ago(12), weeks="6", helped="A little", effects=["Headache"],
                  why="Course finished")  # fmt: skip
    add_treatment(page, kind="Esketamine (Spravato)", name="Spravato", dose="84 mg", started=months_ago(1),
                  effects=["Feeling detached or unreal"])  # fmt: skip
    page.get_by_role("link", name="Add a treatment").first.click()
    me.check("treatment-form")
    narrow_screenshot(me, "treatment-form")

    # A course of esketamine sessions; each form reminds the member to arrange a ride.
    today = timezone.localdate()
    for number in range(1, 5):
        me.goto("/journey/")
        page.get_by_role("link", name="Spravato").first.click()
        page.get_by_role("link", name="Record a session").click()
        # The form page must have loaded before anything on it is looked at.
        page.wait_for_url("**/sessions/new/")
        expect(page.get_by_role("heading", name="Plan your ride home")).to_be_visible()
        expect(page.get_by_text("cannot drive or use machinery until the next day")).to_be_visible()
        if number == 1:
            me.check("session-form")
            narrow_screenshot(me, "session-form")
        page.get_by_label("Date").fill((today - timedelta(days=14 - 3 * number)).isoformat())
        page.get_by_label("A bit better").check()
        page.get_by_label("Note").fill(f"Session {number}: my sister drove me home.")
        page.get_by_role("button", name="Save session").click()
        page.get_by_text("Session saved.").wait_for()
    expect(page.get_by_role("heading", name="Sessions (4)")).to_be_visible()
    me.check("esketamine-sessions")
    assert list(JournalSession.objects.values_list("number", flat=True)) == [1, 2, 3, 4]

    # Two weeks of check-ins.
    moods = [2, 2, 1, 2, 3, 2, 3, 3, 2, 3, 4, 3, 4, 4]
    for index, mood in enumerate(moods):
        me.goto("/journey/check-in/")
        page.get_by_label("Date").fill((today - timedelta(days=13 - index)).isoformat())
        page.locator(f"input[name=mood][value='{mood}']").check()
        page.locator(f"input[name=sleep][value='{min(5, mood + 1)}']").check()
        page.get_by_label("No", exact=True).check()
        if index in (0, 13):
            page.get_by_label("Questionnaire your clinician uses").select_option(label="PHQ-9")
            page.get_by_label("Its total score").fill("19" if index == 0 else "13")
        page.get_by_role("button", name="Save check-in").click()
        page.get_by_text("Check-in saved. Only you can see it.").wait_for()
    assert JournalCheckIn.objects.count() == 14
    assert JournalTreatment.objects.count() == 3

    # The chart, drawn by the server, with the table beside it.
    me.goto("/journey/")
    chart = page.get_by_role("img", name="Timeline of my treatments and check-ins")
    expect(chart).to_be_visible()
    # By default the last three months, where the check-ins are: the esketamine course is the bar.
    assert page.locator(".timeline-svg rect[rx='4']").count() == 1
    assert page.locator(".timeline-svg circle").count() == 14
    me.check("journey-chart-3-months")
    page.get_by_role("link", name="Everything").click()
    assert page.locator(".timeline-svg rect[rx='4']").count() == 3
    expect(page.get_by_role("table", name="Treatments on the timeline")).to_be_visible()
    me.check("journey-chart")
    narrow_screenshot(me, "journey-chart")

    # A question for the appointment, then the one-page summary, printed on Letter.
    page.get_by_label("A question for your next appointment").fill("Can sessions move to once a week?")
    page.get_by_role("button", name="Add question").click()
    page.get_by_role("link", name="Summary for my clinician").first.click()
    page.get_by_label("Period", exact=True).select_option(label="The last 3 months")
    page.get_by_role("button", name="Show this period").click()
    expect(page.get_by_text("The member’s own record, not a medical document.").first).to_be_visible()
    me.check("summary")
    narrow_screenshot(me, "summary")
    page.emulate_media(media="print")
    page.set_viewport_size(LETTER)
    page.screenshot(path=SCREENSHOTS / f"{me.name}-summary-letter-print.png", full_page=True)
    expect(page.locator(".site-header")).not_to_be_visible()
    page.set_viewport_size(DESKTOP)
    # page.pdf() lays the page out for print (with the media still emulated as print, not screen).
    for paper in ["Letter", "A4"]:
        pdf = page.pdf(format=paper)
        (SCREENSHOTS / f"{me.name}-summary-{paper}.pdf").write_bytes(pdf)
        assert re.findall(rb"/Count (\d+)", pdf) == [b"1"], f"the summary takes more than one {paper} page"
    page.emulate_media(media="screen")

    # A share link for the clinician, opened, then revoked.
    page.get_by_role("link", name="Share links").first.click()
    page.get_by_role("button", name="Make a share link").click()
    url = page.get_by_label("Your share link").input_value()
    assert "/journey/shared/" in url
    me.check("share-made")
    clinician = open_session("clinician")
    clinician.page.goto(url)
    assert clinician.page.get_by_role("heading", level=1).inner_text() == "Treatment record"
    expect(clinician.page.get_by_text("Sertraline").first).to_be_visible()
    assert clinician.page.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
    assert not clinician.page.get_by_text("Fern", exact=True).count()
    clinician.check("shared-summary")
    page.reload()
    expect(page.get_by_text("Opened 1 time")).to_be_visible()
    page.get_by_role("button", name="Revoke this link").click()
    page.get_by_text("The link is revoked").wait_for()
    me.check("share-revoked")
    clinician.page.reload()
    expect(clinician.page.get_by_role("heading", name="This link does not open anything")).to_be_visible()
    assert JournalShareLink.objects.get().revoked_at is not None

    # The self-harm question: the promise is read first; "Yes" shows crisis help at once.
    me.goto("/journey/check-in/")
    expect(page.get_by_text("Only you will see your answer. Nobody is told")).to_be_visible()
    crisis = page.locator(".crisis-reveal")
    expect(crisis).not_to_be_visible()
    page.locator("input[name=self_harm_thoughts][value=yes]").check()
    expect(crisis).to_be_visible()
    expect(crisis.get_by_text("Call or text 988")).to_be_visible()
    me.check("self-harm-yes")
    narrow_screenshot(me, "self-harm-yes")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Check-in saved. Only you can see it.").wait_for()
    expect(page.get_by_role("region", name="You are not alone.")).to_be_visible()
    expect(page.get_by_text("nobody here has been told")).to_be_visible()
    me.check("after-self-harm-yes")
