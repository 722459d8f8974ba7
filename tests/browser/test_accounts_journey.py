"""A newcomer's first visit, as a person would do it in a browser."""

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_newcomer_signs_up_confirms_logs_in_edits_profile_and_logs_out(open_session, mailoutbox):
    # The browser says it is in London: sign-up fills that in and says so.
    visitor = open_session("newcomer", timezone_id="Europe/London")
    page = visitor.page

    visitor.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("You are not the only one")
    visitor.check("home-visitor")

    page.get_by_role("link", name="Join", exact=True).click()
    page.wait_for_url("**/accounts/signup/")
    visitor.check("signup")
    page.get_by_label("Email").fill("fern@example.org")
    page.get_by_label("Display name").fill("Quiet Fern")
    page.get_by_label("Password", exact=True).fill("gentle-rain-falls-7")
    page.get_by_label("Password (again)").fill("gentle-rain-falls-7")
    assert page.get_by_label("Your time zone").input_value() == "Europe/London"
    expect(page.get_by_text("We filled in Europe/London from your browser")).to_be_visible()
    page.get_by_label("I am 18 or older").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    from community.models import User

    assert User.objects.get(email="fern@example.org").time_zone == "Europe/London"
    visitor.check("verification-sent")

    # Read the verification email the way the member would, and follow its link.
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[0].body).group(0)
    page.goto(link)
    visitor.check("confirm-email")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Quiet Fern"  # the very first login

    # Confirming logs the member in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION); log out (from the
    # account menu in the header) and in again.
    page.get_by_role("banner").get_by_text("Quiet Fern").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Log in").click()
    visitor.check("login")
    page.get_by_label("Email").fill("fern@example.org")
    page.get_by_label("Password").fill("gentle-rain-falls-7")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert "Welcome back, Quiet Fern" in page.get_by_role("heading", level=1).inner_text()  # not the first login
    visitor.check("home-member")

    page.get_by_role("banner").get_by_text("Quiet Fern").click()
    page.get_by_role("link", name="Your profile and settings").click()
    page.wait_for_url("**/account/profile/")
    page.get_by_label("About me").fill("Trying TMS this spring.")
    page.get_by_label("Time zone").fill("Denver")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert page.get_by_label("About me").input_value() == "Trying TMS this spring."
    assert page.get_by_label("Time zone").input_value() == "America/Denver"
    visitor.check("profile")

    page.get_by_role("banner").get_by_text("Quiet Fern").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_signup_shows_the_message_beside_the_field(open_session):
    visitor = open_session("bad-signup")
    page = visitor.page
    visitor.goto("/accounts/signup/")
    page.get_by_label("Email").fill("fern@example.org")
    page.get_by_label("Display name").fill("me@example.org")
    page.get_by_label("Password", exact=True).fill("gentle-rain-falls-7")
    page.get_by_label("Password (again)").fill("gentle-rain-falls-7")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("A display name cannot be an email address")).to_be_visible()
    expect(page.get_by_text("You must be 18 or older")).to_be_visible()
    visitor.check("signup-errors")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("start", ["/", "/about/", "/accounts/login/"])
def test_crisis_link_is_one_click_from_any_page(open_session, start):
    visitor = open_session("crisis")
    visitor.goto(start)
    visitor.page.get_by_role("banner").get_by_role("link", name="Get help now").click()
    visitor.page.wait_for_url("**/help/")
    expect(visitor.page.get_by_text("Call or text 988")).to_be_visible()
    if start == "/":
        visitor.check("crisis-page")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_static_pages_pass_axe(open_session):
    visitor = open_session("pages")
    for path, label in [
        ("/guidelines/", "guidelines"),
        ("/privacy/", "privacy"),
        ("/terms/", "terms"),
        ("/nowhere/", "404"),
    ]:
        visitor.goto(path)
        visitor.check(label)
