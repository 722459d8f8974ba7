"""Every URL of the project against every kind of visitor, built from the URL
configuration: a URL without a row here (or in tests/groups/access/test_groups_access.py, which covers
the groups and moderation namespaces in depth, or tests/community/journal/test_journal_privacy.py for
the treatment journal) fails ``test_every_url_has_a_row``.

Also: every state-changing view refuses GET (or shows only a form) and refuses a POST
without a CSRF token.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from community.library.articles import load_articles
from community.models import Article, CareEntry, CareReport, DataExport, ResourceSuggestion
from community.notifications.actions import unsubscribe_token
from tests.community.journal.test_journal_privacy import JOURNAL_GET
from tests.groups.access.test_groups_access import ALL_GETS as GROUP_GETS
from tests.groups.access.test_groups_access import ALL_POSTS as GROUP_POSTS
from tests.groups.access.test_groups_access import url_for as group_url_for
from tests.groups.access.test_groups_access import world  # noqa: F401  (the fixture, reused)

ROLES = ["visitor", "member", "staff", "suspended"]
L = "login"  # redirected to log in
S = "suspended"  # signed out and shown the suspension page (403)
R = 302  # redirected elsewhere (a done action, or a step of a flow)
CANARY = "CANARY-private-7f3a"

PUBLIC = [200, 200, 200, S]
SIGNED_IN = [L, 200, 200, S]
STAFF_ONLY = [L, 403, 200, S]
POST_ONLY = [L, 405, 405, S]
STAFF_POST_ONLY = [L, 405, 405, S]

COMMUNITY_GET = {
    "community:home": PUBLIC,
    "community:crisis": PUBLIC,
    "community:about": PUBLIC,
    "community:guidelines": PUBLIC,
    "community:terms": PUBLIC,
    "community:privacy": PUBLIC,
    "community:profile-edit": SIGNED_IN,
    "community:notification-settings": SIGNED_IN,
    "community:privacy-settings": SIGNED_IN,
    "community:export-request": POST_ONLY,
    # The member's own export only; the token in the row belongs to the member.
    "community:export-download": [L, 200, 404, S],
    "community:block-create": POST_ONLY,
    "community:block-remove": POST_ONLY,
    # Deleting an account first asks for the password again.
    "community:account-delete": [L, R, R, S],
    "community:notification-list": SIGNED_IN,
    "community:notification-read-all": POST_ONLY,
    # Email clients cannot log in: the signed token is the key (see test_groups_access).
    "community:unsubscribe": PUBLIC,
    "community:article-list": PUBLIC,
    "community:article-create": STAFF_ONLY,
    "community:resource-suggest": SIGNED_IN,
    "community:suggestion-list": STAFF_ONLY,
    "community:suggestion-decide": STAFF_POST_ONLY,
    "community:article-detail": PUBLIC,
    "community:article-edit": STAFF_ONLY,
    "community:care-list": PUBLIC,
    "community:care-report": SIGNED_IN,
    "community:care-verify": STAFF_POST_ONLY,
    "community:care-report-list": STAFF_ONLY,
    "community:care-report-resolve": STAFF_POST_ONLY,
    "community:care-import": STAFF_ONLY,
    "community:care-export": STAFF_ONLY,
    "community:search": PUBLIC,
    # The health check needs no session; a suspended account's session is ended first.
    "healthz": [200, 200, 200, S],
}

# allauth's own pages. Signed-in members are sent on from the log-in and sign-up pages;
# pages that need a step first (a code sent, a reset link followed) send people back. A
# suspended account that is still signed in is signed out at its next request, whatever
# the page.
ALLAUTH_GET = {
    "account_login": [200, R, R, S],
    "account_logout": [R, 200, 200, S],
    "account_inactive": [200, 200, 200, S],
    "account_signup": [200, R, R, S],
    "account_reauthenticate": [L, 200, 200, S],
    "account_request_reauthentication_code": [L, 200, 200, S],
    "account_confirm_reauthentication_code": [L, R, R, S],
    "account_email": SIGNED_IN,
    "account_email_verification_sent": [200, 200, 200, S],
    "account_change_password": SIGNED_IN,
    "account_set_password": [L, R, R, S],
    "account_reset_password": [200, 200, 200, S],
    "account_confirm_login_code": [R, R, R, S],
    "account_confirm_email": [200, 200, 200, S],
    "account_reset_password_from_key_done": [200, 200, 200, S],
    "account_reset_password_from_key": [200, 200, 200, S],
    "account_reset_password_done": [200, 200, 200, S],
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": [R, R, R, S],
    "mfa_reauthenticate": [L, R, R, S],
    "mfa_activate_totp": [L, R, R, S],
    "mfa_deactivate_totp": [L, 404, 404, S],
    "mfa_view_recovery_codes": [L, 404, 404, S],
    "mfa_generate_recovery_codes": [L, R, R, S],
    "mfa_download_recovery_codes": [L, 404, 404, S],
    "usersessions_list": SIGNED_IN,
}

# Every admin page: visitors and members are sent to the admin log-in (where members are
# refused); staff get the page (or a 404 for an object that does not exist, a redirect
# for actions like "log out", a 403 where the admin offers no such action).
ADMIN_ROW = [L, R, "staff-ok", S]


def all_url_names() -> list[tuple[str, str]]:
    """(view name, route) for every named URL in the project, from the resolver."""

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), str(pattern.pattern)

    return sorted(set(walk(get_resolver(), "")))


def test_every_url_has_a_row():
    group_names = {f"{ns}:{name}" for ns, name, _row in GROUP_GETS}
    missing = [
        name
        for name, _route in all_url_names()
        if name not in COMMUNITY_GET
        and name not in ALLAUTH_GET
        and name not in group_names
        and name not in JOURNAL_GET
        and not name.startswith("admin:")
    ]
    assert missing == []
    # And no stale rows for URLs that are gone.
    names = {name for name, _route in all_url_names()}
    assert set(COMMUNITY_GET) - names == set()
    assert set(ALLAUTH_GET) - names == set()


@pytest.fixture
def site(world):  # noqa: F811
    people = world["people"]
    member = people["member"]
    load_articles()
    article = Article.objects.filter(status="published").first()
    entry = CareEntry.objects.create(
        name="Calm Clinic",
        kind="clinic",
        treatments={"tms"},
        city="Denver",
        region="CO",
        postal_code="80202",
        latitude=39.75,
        longitude=-104.99,
    )
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="A guide", url="https://example.org/guide", reason="It helped me."
    )
    report = CareReport.objects.create(
        entry=entry, reporter=member, problem=CareReport.Problem.choices[0][0], details="Phone changed"
    )
    export = DataExport.objects.create(
        user=member, status="ready", archive=b"PK", expires_at=timezone.now() + timedelta(days=1)
    )
    return {
        "world": world,
        "people": {"member": member, "staff": people["staff"], "suspended": people["suspended"]},
        "kwargs": {
            "community:export-download": {"token": export.token},
            "community:block-remove": {"user_id": people["owner"].pk},
            "community:unsubscribe": {"token": unsubscribe_token(member)},
            "community:suggestion-decide": {"suggestion_id": suggestion.pk},
            "community:article-detail": {"article_slug": article.slug},
            "community:article-edit": {"article_slug": article.slug},
            "community:care-report": {"entry_id": entry.pk},
            "community:care-verify": {"entry_id": entry.pk},
            "community:care-report-resolve": {"report_id": report.pk},
            "account_confirm_email": {"key": "not-a-real-key"},
            "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-real-key"},
        },
    }


def client_as(site, role) -> Client:
    client = Client()
    if role != "visitor":
        client.force_login(site["people"][role])
    return client


def check(response, expected, label):
    status = response.status_code
    if expected == S:
        assert status == 403, label
        assert "This account is suspended" in response.content.decode(), label
    elif expected == L:
        assert status == 302, label
        assert response.url.startswith(reverse("account_login")), f"{label}: {response.url}"
    elif expected == "staff-ok":
        # 403 where the admin forbids an action (allauth's email admin has no "add"); 405 for log-out by GET.
        assert status in (200, 302, 403, 404, 405), f"{label}: got {status}"
    else:
        assert status == expected, f"{label}: got {status}"
    if status in (302, 403, 404, 405):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert CANARY not in body.decode(errors="replace"), f"{label} leaked private text"


ROWS = sorted({**COMMUNITY_GET, **ALLAUTH_GET}.items())


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "row"), ROWS, ids=[name for name, _row in ROWS])
def test_get_matrix_for_community_and_account_urls(site, name, row):
    url = reverse(name, kwargs=site["kwargs"].get(name, {}))
    for role, expected in zip(ROLES, row, strict=True):
        check(client_as(site, role).get(url), expected, f"GET {name} as {role}")


def admin_urls(site) -> list[tuple[str, str]]:
    """Every admin page, with the first object of each model where one is needed."""
    urls = []
    for name, route in all_url_names():
        if not name.startswith("admin:"):
            continue
        kwargs = {}
        for arg in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
            key = arg[0] or arg[1]
            kwargs[key] = {"object_id": "1", "app_label": "community", "content_type_id": "1"}.get(key, "1")
        if "app_list" in name:
            kwargs = {"app_label": "community"}
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except Exception:  # noqa: BLE001 - a route needing other arguments is tried without them
            urls.append((name, reverse(name)))
    return urls


@pytest.mark.django_db
def test_every_admin_page_is_for_staff_only(site):
    checked = 0
    for name, url in admin_urls(site):
        for role, expected in zip(ROLES, ADMIN_ROW, strict=True):
            response = client_as(site, role).get(url)
            if expected == R:
                # A member is sent to the admin log-in, which refuses them (or refused at once).
                if response.status_code == 302:
                    response = client_as(site, role).get(url, follow=True)
                assert response.status_code == 403, f"{name} as {role}"
            elif expected == L:
                # Visitors end at a log-in page (admin log-out goes by the admin index first).
                assert response.status_code == 302, f"{name} as {role}"
                final = client_as(site, role).get(url, follow=True)
                assert "login" in final.request["PATH_INFO"], f"{name} as {role}"
                assert CANARY not in final.content.decode(), f"{name} as {role}"
            else:
                check(response, expected, f"GET {name} as {role}")
            checked += 1
    assert checked >= len(admin_site._registry) * 4  # noqa: SLF001


# --- CSRF and methods -------------------------------------------------------------------------

CSRF_MESSAGE = "Your form could not be sent because it had expired"
STATE_CHANGING = {
    name
    for name, row in {**COMMUNITY_GET}.items()
    if row in (POST_ONLY, STAFF_POST_ONLY) or name in ("community:account-delete",)
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STATE_CHANGING))
def test_community_state_changing_views_refuse_post_without_csrf_token(site, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["people"]["staff"] if "care" in name or "suggestion" in name else site["people"]["member"])
    response = client.post(reverse(name, kwargs=site["kwargs"].get(name, {})), {})
    assert response.status_code == 403
    assert CSRF_MESSAGE in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("namespace", "name", "spec"), GROUP_POSTS, ids=[f"{n}:{m}" for n, m, _ in GROUP_POSTS])
def test_group_state_changing_views_refuse_post_without_csrf_token(world, namespace, name, spec):  # noqa: F811
    data, _expected = spec
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["owner"])
    response = client.post(group_url_for(namespace, name, world), data)
    assert response.status_code == 403
    assert CSRF_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_canary_is_in_no_export_but_its_authors(world, mailoutbox):  # noqa: F811
    from community.privacy.exports import build_export_zip

    for role, person in world["people"].items():
        archive = build_export_zip(person)
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            text = "".join(opened.read(name).decode() for name in opened.namelist())
        assert (CANARY in text) is (role == "member"), role
    for message in mailoutbox:
        assert CANARY not in message.body, message.subject
