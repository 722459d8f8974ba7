"""Account security: sessions, two-factor for staff, and the sign-in attacks a
community site meets (enumeration, unverified posting, suspended login, open redirects,
session fixation, password guessing)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from groups.models import Post

PASSWORD = "a-long-password-1"


def login(client: Client, user, next_url: str = ""):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": user.email, "password": PASSWORD})


# --- sessions ---------------------------------------------------------------------------------


def test_signing_out_other_sessions_ends_them_and_keeps_this_one(member):
    here, elsewhere = Client(), Client()
    assert login(here, member).status_code == 302
    assert login(elsewhere, member).status_code == 302
    assert UserSession.objects.filter(user=member).count() == 2
    page = here.get(reverse("usersessions_list"))
    assert page.status_code == 200
    response = here.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert here.get(reverse("community:profile-edit")).status_code == 200
    assert elsewhere.get(reverse("community:profile-edit")).status_code == 302
    assert UserSession.objects.filter(user=member).count() == 1


def test_session_key_changes_at_login(client, member):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    login(client, member)
    assert client.session.session_key != before


# --- two-factor for staff ----------------------------------------------------------------------


STAFF_PAGES = [
    ("groups:proposal-list", {}),
    ("community:suggestion-list", {}),
    ("community:care-import", {}),
    ("community:care-export", {}),
    ("admin:index", {}),
]


@pytest.fixture
def require_2fa(settings):
    settings.STAFF_PAGES_REQUIRE_2FA = True


def give_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_send_staff_without_2fa_to_turn_it_on(require_2fa, client, staff, name, kwargs):
    client.force_login(staff)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url == reverse("mfa_index")


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_open_for_staff_with_2fa(require_2fa, client, staff, name, kwargs):
    give_totp(staff)
    client.force_login(staff)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_staff_account_page_and_log_export_need_2fa(require_2fa, client, staff, member):
    client.force_login(staff)
    assert client.get(reverse("moderation:account", kwargs={"user_id": member.pk})).url == reverse("mfa_index")
    assert client.get(reverse("moderation:log-export")).url == reverse("mfa_index")
    response = client.post(reverse("moderation:account-suspend", kwargs={"user_id": member.pk}), {"days": "1"})
    assert response.url == reverse("mfa_index")
    member.refresh_from_db()
    assert not member.is_suspended


def test_members_are_not_asked_for_2fa_on_ordinary_pages(require_2fa, member_client):
    assert member_client.get(reverse("groups:group-list")).status_code == 200
    assert member_client.get(reverse("groups:proposal-list")).status_code == 403


def test_moderators_and_staff_are_nudged_to_turn_on_2fa(client, make_member, make_group, add_member, staff):
    moderator, plain = make_member("Mod Ash"), make_member("Plain Pine")
    add_member(make_group(), moderator, role="moderator")
    nudge = "turn on two-factor authentication"
    for user, expected in [(moderator, True), (staff, True), (plain, False)]:
        client.force_login(user)
        assert (nudge in client.get(reverse("community:profile-edit")).content.decode()) is expected
    give_totp(moderator)
    client.force_login(moderator)
    assert nudge not in client.get(reverse("community:profile-edit")).content.decode()


# --- sign-in attacks ---------------------------------------------------------------------------


def test_password_reset_page_is_identical_for_known_and_unknown_emails(client, member, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": member.email}, follow=True)
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    strip = lambda html: html.replace(member.email, "").replace("nobody@example.org", "")  # noqa: E731
    assert strip(known.content.decode()).split("<main")[1] == strip(unknown.content.decode()).split("<main")[1]


def test_unverified_account_cannot_sign_in_so_cannot_post(client, make_member, make_group, add_member):
    newcomer = make_member("Newcomer", verified=False)
    group = make_group()
    add_member(group, newcomer)
    response = login(client, newcomer)
    assert response.url == reverse("account_email_verification_sent")
    post_url = reverse("groups:post-create", kwargs={"group_slug": group.slug})
    response = client.post(post_url, {"title": "Hi", "body": "Hello"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Post.objects.exists()


def test_suspended_account_cannot_log_in(client, make_member):
    suspended = make_member("Suspended Sage", is_suspended=True)
    response = login(client, suspended)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302, 403)
    assert client.get(reverse("community:profile-edit")).status_code == 302


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com", "https:evil.example.com"]
)
def test_next_cannot_send_anyone_off_site(client, member, next_url):
    response = login(client, member, next_url)
    assert response.status_code == 302
    assert "evil" not in response.url


def test_next_on_site_is_followed(client, member):
    assert login(client, member, "/groups/").url == "/groups/"


def test_login_throttling_is_kept_in_the_shared_cache(member):
    """Failures are counted in Django's cache (Redis in production, shared by every app
    server), not in a process: a fresh client meets the limit, even with the right
    password, and clearing the cache (what every server shares) lifts it."""
    for _ in range(5):
        Client().post(reverse("account_login"), {"login": member.email, "password": "wrong-password"})
    blocked = Client().post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert blocked.status_code != 302
    assert "Too many failed login attempts" in blocked.content.decode()
    cache.clear()
    assert Client().post(reverse("account_login"), {"login": member.email, "password": PASSWORD}).status_code == 302


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgrade_at_login(client, make_member, settings):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        "community.accounts.hashers.SteadyArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    member = make_member("Old Hash", email="old-hash@example.org")
    member.password = make_password("a-long-password-1", hasher="pbkdf2_sha256")
    member.save()
    response = client.post(reverse("account_login"), {"login": "old-hash@example.org", "password": "a-long-password-1"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in member.password
