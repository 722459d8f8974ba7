"""Sign-up, verification, login and the profile, including every way sign-up can go wrong."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

User = get_user_model()

GOOD_SIGNUP = {
    "email": "newperson@example.org",
    "display_name": "Quiet Fern",
    "password1": "gentle-rain-falls-7",
    "password2": "gentle-rain-falls-7",
    "time_zone": "America/Denver",
    "is_adult": "on",
}


def signup(client, **changes):
    return client.post(reverse("account_signup"), {**GOOD_SIGNUP, **changes})


@pytest.mark.django_db
def test_signup_creates_member_and_sends_verification_email(client, mailoutbox, django_capture_on_commit_callbacks):
    # Emails leave through a task queued when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="newperson@example.org")
    assert user.display_name == "Quiet Fern"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newperson@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body


@pytest.mark.django_db
def test_unverified_member_cannot_log_in_until_confirming(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": GOOD_SIGNUP["email"], "password": GOOD_SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    key_url = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mailoutbox[-1].body).group(0)
    path = key_url.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)
    assert EmailAddress.objects.get(email=GOOD_SIGNUP["email"]).verified
    response = client.post(
        reverse("account_login"), {"login": GOOD_SIGNUP["email"], "password": GOOD_SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=GOOD_SIGNUP["email"]).pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": "river"}, "display_name", "That display name is taken"),
        ({"display_name": "someone@example.org"}, "display_name", "cannot be an email address"),
        ({"display_name": "<b>bold</b>"}, "display_name", "Use only letters, digits"),
        ({"display_name": "ab"}, "display_name", "Use 3 to 30 characters"),
        ({"display_name": "Anonymous member"}, "display_name", "reserved"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password2": "something-else-entirely"}, "password2", "same password"),
        ({"is_adult": ""}, "is_adult", "You must be 18 or older"),
        ({"time_zone": ""}, "time_zone", "Please choose your time zone"),
        ({"time_zone": "Atlantis/Lost_City"}, "time_zone", "Choose a time zone from the list"),
    ],
)
def test_bad_signup_shows_message_by_field_and_creates_nothing(
    client, make_member, changes, field, message, mailoutbox
):
    make_member("River", email="river@example.org")
    before = User.objects.count()
    response = signup(client, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert mailoutbox == []


@pytest.mark.django_db
def test_signup_with_a_registered_email_does_not_reveal_it(client, make_member, mailoutbox):
    make_member("River", email="river@example.org")
    fresh = signup(client, email="brand-new@example.org", display_name="Fresh One")
    taken = signup(client, email="river@example.org", display_name="Someone Else")
    # The same next step for both; the owner of the address is told by email instead.
    assert taken.status_code == fresh.status_code == 302
    assert taken.url == fresh.url
    assert User.objects.filter(email="river@example.org").count() == 1
    assert not User.objects.filter(display_name="Someone Else").exists()


@pytest.mark.django_db
def test_password_reset_looks_the_same_for_known_and_unknown_emails(client, make_member, mailoutbox):
    make_member("River", email="river@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "river@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


@pytest.mark.django_db
def test_profile_edit_saves_display_name_time_zone_and_about(member_client, member):
    response = member_client.post(
        reverse("community:profile-edit"),
        {"display_name": "River Stone", "time_zone": "Europe/London", "about": "Gardening helps."},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.time_zone, member.about) == ("River Stone", "Europe/London", "Gardening helps.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"display_name": "Maple", "time_zone": "Europe/London"}, "That display name is taken"),
        ({"display_name": "River", "time_zone": "Mars/Olympus"}, "Choose a time zone from the list"),
        ({"display_name": "River", "time_zone": "UTC", "about": "x" * 501}, "at most 500 characters"),
    ],
)
def test_profile_edit_rejects_bad_input_and_changes_nothing(member_client, member, make_member, data, message):
    make_member("maple")
    response = member_client.post(reverse("community:profile-edit"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "River"
    assert member.time_zone == "America/New_York"


def test_profile_edit_needs_login(client):
    response = client.get(reverse("community:profile-edit"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_header_never_shows_email_only_display_name(member_client, member):
    html = member_client.get(reverse("community:home")).content.decode()
    assert member.display_name in html
    assert member.email not in html


@pytest.mark.django_db
def test_login_is_rate_limited_after_repeated_failures(client, make_member):
    make_member("River", email="river@example.org")
    statuses = []
    for _ in range(7):
        response = client.post(reverse("account_login"), {"login": "river@example.org", "password": "wrong-password"})
        statuses.append(response.status_code)
    assert 429 in statuses or "Too many failed login attempts" in response.content.decode()
