"""Every email the site can send is a safe email.

Each one names the site, carries the crisis line and the sentence that this is peer
support, not a crisis service, has a plain-text part, and carries no post text by default.
The template folders are walked, so an email template added without a way to send it here
fails the test instead of going out unchecked.
"""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.groups.meetings.factories import weekly

CANARY = "canary-words-only-the-author-wrote"


# --- finding every email template ---------------------------------------------------------------


def template_dirs() -> list[Path]:
    engine = engines["django"].engine
    return [Path(d) for d in [*engine.dirs, *get_app_template_dirs("templates")]]


def email_templates() -> list[str]:
    """Template names of every email body: files in an ``email`` or ``emails`` folder,
    minus subjects, shared layouts (``base_*``) and partials (``_*``)."""
    names = set()
    for root in template_dirs():
        for path in root.rglob("*"):
            if not path.is_file() or path.suffix not in {".txt", ".html"}:
                continue
            relative = path.relative_to(root)
            if not {"email", "emails"} & set(relative.parts[:-1]):
                continue
            if path.name.startswith(("_", "base_")) or path.stem.endswith("_subject"):
                continue
            names.add(relative.as_posix())
    return sorted(names)


ALLAUTH_EMAIL = re.compile(r"^(account|mfa|socialaccount)/email/(?P<prefix>\w+)_message\.(txt|html)$")


# --- sending each email the way the site sends it -----------------------------------------------


@pytest.fixture
def circle(make_group, make_member, add_member):
    """A group with a moderator, a reader, and a post whose text must stay out of emails."""
    from groups.models import Membership

    group = make_group("Circle of Canaries", slug="circle")
    people = {name: make_member(name) for name in ["Mod", "Author", "Reader"]}
    add_member(group, people["Mod"], role=Membership.Role.MODERATOR)
    add_member(group, people["Author"])
    add_member(group, people["Reader"])
    return group, people


def send_notification(circle, make_post):
    from community.models import Notification
    from community.notifications.actions import notify

    group, people = circle
    people["Reader"].email_frequency = "each"
    people["Reader"].save()
    post = make_post(group, people["Author"], title="A title", body=f"I wrote {CANARY} here.")
    notify(recipients=[people["Reader"]], kind=Notification.Kind.NEW_POST, group=group, post=post)


def send_digest(circle, make_post):
    from community.models import Notification
    from community.notifications.actions import notify, send_digest

    group, people = circle
    post = make_post(group, people["Author"], title="A title", body=f"I wrote {CANARY} here.")
    notify(recipients=[people["Reader"]], kind=Notification.Kind.NEW_POST, group=group, post=post)
    assert send_digest(people["Reader"]) == 1


def send_risk_alert(circle, make_post):
    from community.notifications.actions import RISK_ALERT_WHAT, alert_moderators_of_risk

    group, people = circle
    people["Author"].is_staff = True  # "escalated" goes to staff
    people["Author"].save()
    for what in RISK_ALERT_WHAT:
        alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what=what)


def send_meeting_reminder(circle, make_post):

    from groups.meetings import actions as meetings
    from groups.meetings.reminders import send_due_reminders
    from groups.models import Occurrence

    group, people = circle
    starts_on = (timezone.now() + timedelta(days=2)).date()
    meeting = weekly(group, people["Mod"], starts_on=starts_on, count=1)
    occurrence = meeting.occurrences.get()
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=timezone.now() + timedelta(minutes=50), end=timezone.now() + timedelta(minutes=140)
    )
    meetings.rsvp(user=people["Reader"], occurrence=occurrence)
    assert send_due_reminders() >= 1


def send_data_export_ready(circle, make_post):
    from community.privacy.actions import build_data_export, request_data_export

    group, people = circle
    make_post(group, people["Reader"], title="Mine", body=f"I wrote {CANARY} here.")
    export = request_data_export(user=people["Reader"])
    build_data_export.call(export_id=export.pk)


def send_checkin_reminder(circle, make_post):
    from community.journal.actions import set_checkin_reminder
    from community.journal.reminders import send_due_checkin_reminders

    group, people = circle
    set_checkin_reminder(user=people["Reader"], frequency="daily")
    assert send_due_checkin_reminders() == 1


# Our own emails: template name -> how the site sends it. A new email template needs a line here.
SENDERS = {
    "community/emails/notification.txt": send_notification,
    "community/emails/digest.txt": send_digest,
    "community/emails/risk_alert.txt": send_risk_alert,
    "community/emails/data_export_ready.txt": send_data_export_ready,
    "groups/emails/meeting_reminder.txt": send_meeting_reminder,
    "community/emails/checkin_reminder.txt": send_checkin_reminder,
}

# Everything any allauth email template may ask of its context.
ALLAUTH_CONTEXT = {
    "activate_url": "https://example.org/accounts/confirm-email/key/",
    "code": "ABC123",
    "password_reset_url": "https://example.org/accounts/password/reset/key/",
    "signup_url": "https://example.org/accounts/signup/",
    "password_reset_url_or_code": "ABC123",
    "from_email": "old@example.org",
    "to_email": "new@example.org",
    "deleted_email": "old@example.org",
    "ip": "203.0.113.9",
    "user_agent": "Firefox",
    "timestamp": "2026-01-01 10:00",
    "provider": "Example",
    "account": None,
}


def send_allauth(prefix: str, user):
    """Send an allauth email through our adapter, as allauth's flows do (in a request)."""
    request = RequestFactory().get("/")
    request.user = user
    with allauth_context.request_context(request):
        get_adapter(request).send_mail(prefix, user.email, {"user": user, **ALLAUTH_CONTEXT})


# --- what every email must carry ---------------------------------------------------------------


def crisis_url() -> str:
    return settings.SITE_URL + reverse("community:crisis")


def assert_safe_email(message):
    """What every email must carry; returns the plain text for further checks."""
    assert message.content_subtype == "plain", "every email has a plain-text part"
    assert message.body.strip()
    bodies = [message.body] + [body for body, mime in getattr(message, "alternatives", [])]
    assert settings.SITE_NAME in message.subject
    for body in bodies:
        assert settings.SITE_NAME in body
        assert not re.search(r"\bfrom\s*!|\bon \.|\busing\s*!", body), "an empty site name"
        assert "Call or text 988" in body
        assert "Text HOME to 741741" in body
        assert "call 911" in body
        assert crisis_url() in body
        assert f"{settings.SITE_NAME} is peer support, not a crisis service." in body
        assert CANARY not in body, "no post text by default"
    return message.body


@pytest.mark.django_db
@pytest.mark.parametrize("template_name", email_templates())
def test_every_email_template_is_sent_safe(
    template_name, circle, make_post, mailoutbox, django_capture_on_commit_callbacks
):
    allauth_match = ALLAUTH_EMAIL.match(template_name)
    with django_capture_on_commit_callbacks(execute=True):
        if allauth_match:
            prefix = template_name.rsplit("_message.", 1)[0]
            send_allauth(prefix, circle[1]["Reader"])
        elif template_name in SENDERS:
            SENDERS[template_name](circle, make_post)
        else:
            pytest.fail(f"{template_name} is an email nobody checks: add how it is sent to SENDERS in {__file__}")
    assert mailoutbox, f"{template_name} sent nothing"
    for message in mailoutbox:
        assert_safe_email(message)


def test_the_walk_finds_ours_and_allauths_emails():
    found = email_templates()
    assert set(SENDERS) <= set(found)
    for name in [
        "account/email/email_confirmation_signup_message.txt",
        "account/email/password_reset_key_message.txt",
        "account/email/email_changed_message.txt",
        "mfa/email/totp_activated_message.txt",
    ]:
        assert name in found


# --- through allauth's real flows ----------------------------------------------------------------


@pytest.mark.django_db
def test_signup_confirmation_email_names_the_site_and_carries_the_crisis_line(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "newperson@example.org",
                "display_name": "Quiet Fern",
                "password1": "gentle-rain-falls-7",
                "password2": "gentle-rain-falls-7",
                "time_zone": "America/Denver",  # sign-up asks for the zone (issue 16)
                "is_adult": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    [message] = mailoutbox
    body = assert_safe_email(message)
    assert f"Hello from {settings.SITE_NAME}" in body
    assert "/accounts/confirm-email/" in body
    assert f"register an account on {urlsplit(settings.SITE_URL).netloc}." in body


@pytest.mark.django_db
def test_password_reset_email_names_the_site_and_carries_the_crisis_line(
    client, make_member, mailoutbox, django_capture_on_commit_callbacks
):
    make_member("River", email="river@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "river@example.org"})
    assert response.status_code == 302
    [message] = mailoutbox
    body = assert_safe_email(message)
    assert "/accounts/password/reset/key/" in body


@pytest.mark.django_db
def test_password_change_tells_the_member_by_a_safe_email(
    client, make_member, mailoutbox, django_capture_on_commit_callbacks
):
    river = make_member("River", email="river@example.org", password="a-long-password-1")
    client.force_login(river)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": "a-long-password-1",
                "password1": "another-long-phrase-2",
                "password2": "another-long-phrase-2",
            },
        )
    assert response.status_code == 302
    [message] = mailoutbox
    body = assert_safe_email(message)
    assert "password" in body.lower()


@pytest.mark.django_db
def test_data_export_ready_email_names_the_site_and_carries_the_crisis_line(
    circle, make_post, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_data_export_ready(circle, make_post)
    [message] = mailoutbox
    body = assert_safe_email(message)
    assert settings.SITE_URL + reverse("community:privacy-settings") in body


@pytest.mark.django_db
def test_turning_on_two_factor_tells_the_member_by_a_safe_email(
    client, make_member, mailoutbox, django_capture_on_commit_callbacks
):
    from allauth.mfa.totp.internal.auth import (
        SECRET_SESSION_KEY,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    make_member("River", email="river@example.org", password="a-long-password-1")
    client.post(reverse("account_login"), {"login": "river@example.org", "password": "a-long-password-1"})
    client.post(reverse("account_reauthenticate"), {"password": "a-long-password-1"})  # as the site asks
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert mailoutbox, "turning on two-factor sends a notice"
    for message in mailoutbox:
        assert_safe_email(message)
    assert any("Authenticator App Activated" in m.subject for m in mailoutbox)
