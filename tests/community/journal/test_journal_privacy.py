"""Only the member sees their journal: every journal URL against every kind of visitor,
with a canary in every field. Everyone else gets a 404 (a visitor is asked to log in),
staff and moderators included; nothing reaches search, notifications or the admin."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import reverse

from community.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalSession,
    JournalShareLink,
    JournalTreatment,
    Notification,
)
from tests.community.journal.conftest import CANARY

ROLES = ["visitor", "owner", "other", "moderator", "staff", "suspended"]
L = "login"
S = "suspended"
OWN = [L, 200, 200, 200, 200, S]  # each signed-in member sees their own (empty) page
ITEM = [L, 200, 404, 404, 404, S]  # one of the owner's rows
POST_ONLY = [L, 405, 405, 405, 405, S]

JOURNAL_GET = {
    "journal:home": OWN,
    "journal:treatment-create": OWN,
    "journal:treatment-detail": ITEM,
    "journal:treatment-edit": ITEM,
    "journal:treatment-delete": POST_ONLY,
    "journal:session-create": ITEM,
    "journal:session-edit": ITEM,
    "journal:session-delete": POST_ONLY,
    "journal:checkin-create": OWN,
    "journal:checkin-edit": ITEM,
    "journal:checkin-delete": POST_ONLY,
    "journal:question-create": POST_ONLY,
    "journal:question-toggle": POST_ONLY,
    "journal:question-delete": POST_ONLY,
    "journal:summary": OWN,
    "journal:share-list": OWN,
    "journal:share-revoke": POST_ONLY,
    "journal:reminders": OWN,
    # A clinician has no account: the signed token is the key (tested on its own below).
    "journal:shared": [200, 200, 200, 200, 200, S],
}

# Writes to one of the owner's rows: anyone else gets 404 and nothing changes.
JOURNAL_ITEM_POSTS = {
    "journal:treatment-edit": {"kind": "other", "name": "Changed", "started_on": "2024-01"},
    "journal:treatment-delete": {},
    "journal:session-create": {"date": "2024-03-01"},
    "journal:session-edit": {"date": "2024-03-01", "note": "Changed"},
    "journal:session-delete": {},
    "journal:checkin-edit": {"date": "2024-03-01", "mood": "5"},
    "journal:checkin-delete": {},
    "journal:question-toggle": {},
    "journal:question-delete": {},
    "journal:share-revoke": {},
}


@pytest.fixture
def people(full_journal, make_member, make_group, add_member):
    owner = full_journal["user"]
    group = make_group("Harbour")
    moderator = make_member("Mod Ash")
    add_member(group, owner)
    add_member(group, moderator, role="moderator")
    suspended = make_member("Suspended Sol", is_suspended=True)
    return {
        "owner": owner,
        "other": make_member("Other Oak"),
        "moderator": moderator,
        "staff": make_member("Staff Sam", is_staff=True, is_superuser=True),
        "suspended": suspended,
    }


def kwargs_for(name: str, journal: dict) -> dict:
    return {
        "journal:treatment-detail": {"treatment_id": journal["treatment"].pk},
        "journal:treatment-edit": {"treatment_id": journal["treatment"].pk},
        "journal:treatment-delete": {"treatment_id": journal["treatment"].pk},
        "journal:session-create": {"treatment_id": journal["treatment"].pk},
        "journal:session-edit": {"session_id": journal["session"].pk},
        "journal:session-delete": {"session_id": journal["session"].pk},
        "journal:checkin-edit": {"checkin_id": journal["checkin"].pk},
        "journal:checkin-delete": {"checkin_id": journal["checkin"].pk},
        "journal:question-toggle": {"question_id": journal["question"].pk},
        "journal:question-delete": {"question_id": journal["question"].pk},
        "journal:share-revoke": {"link_id": journal["link"].pk},
        "journal:shared": {"token": journal["token"]},
    }.get(name, {})


def client_for(people, role) -> Client:
    client = Client()
    if role != "visitor":
        client.force_login(people[role])
    return client


def journal_snapshot(user) -> list:
    """Every journal value of ``user``, decrypted, to show that nothing changed."""
    rows = []
    for model in (JournalTreatment, JournalSession, JournalCheckIn, JournalQuestion, JournalShareLink):
        for obj in model.objects.filter(user=user).order_by("pk"):
            rows.append(
                {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.name != "updated_at"}
            )
    return rows


def test_every_journal_url_has_a_row():
    from tests.test_security_urls import all_url_names

    names = {name for name, _route in all_url_names() if name.startswith("journal:")}
    assert names == set(JOURNAL_GET)


@pytest.mark.parametrize(("name", "row"), sorted(JOURNAL_GET.items()), ids=sorted(JOURNAL_GET))
def test_get_matrix_only_the_owner_sees_their_journal(full_journal, people, name, row):
    url = reverse(name, kwargs=kwargs_for(name, full_journal))
    for role, expected in zip(ROLES, row, strict=True):
        response = client_for(people, role).get(url)
        label = f"GET {name} as {role}"
        body = response.content.decode()
        if expected == L:
            assert response.status_code == 302, label
            assert response.url.startswith(reverse("account_login")), label
        elif expected == S:
            assert response.status_code == 403, label
            assert "This account is suspended" in body, label
        else:
            assert response.status_code == expected, label
        # The canary (in every field) shows only to the owner, and to whoever holds a share link.
        may_see = response.status_code == 200 and (role == "owner" or name == "journal:shared")
        if not may_see:
            assert CANARY not in body, f"{label} leaked journal text"
        if response.status_code == 200:
            assert response.headers["Cache-Control"] == "private, no-store", label


@pytest.mark.parametrize("name", sorted(JOURNAL_ITEM_POSTS))
@pytest.mark.parametrize("role", ["other", "moderator", "staff"])
def test_nobody_else_can_change_a_journal_row(full_journal, people, name, role):
    before = journal_snapshot(people["owner"])
    url = reverse(name, kwargs=kwargs_for(name, full_journal))
    response = client_for(people, role).post(url, JOURNAL_ITEM_POSTS[name])
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    assert journal_snapshot(people["owner"]) == before


@pytest.mark.parametrize("name", sorted(n for n, row in JOURNAL_GET.items() if row == POST_ONLY))
def test_journal_writes_refuse_post_without_csrf_token(full_journal, people, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    response = client.post(reverse(name, kwargs=kwargs_for(name, full_journal)), {"text": "x"})
    assert response.status_code == 403


def test_no_admin_page_for_journal_content(full_journal, people):
    registered = {model._meta.label for model in admin_site._registry}  # noqa: SLF001
    assert not any(label.startswith("community.Journal") for label in registered)
    client = client_for(people, "staff")
    assert CANARY not in client.get(reverse("admin:index")).content.decode()
    user_admin = reverse("admin:community_user_change", args=[people["owner"].pk])
    response = client.get(user_admin)
    assert response.status_code == 200
    assert CANARY not in response.content.decode()


def test_journal_never_reaches_search_notifications_or_other_pages(full_journal, people):
    assert not Notification.objects.exists()
    for role in ["owner", "other", "moderator", "staff"]:
        client = client_for(people, role)
        for url in [
            # Words next to the canary (searching for the canary itself would echo it back).
            reverse("community:search") + "?q=Went",
            reverse("community:search") + "?q=Question",
            reverse("community:home"),
            reverse("community:notification-list"),
            reverse("moderation:queue") if role in ("moderator", "staff") else reverse("community:home"),
        ]:
            body = client.get(url).content.decode()
            assert CANARY not in body, f"{url} as {role}"


def test_header_links_my_journey_for_members_only(client, member):
    assert "My journey" not in client.get(reverse("community:home")).content.decode()
    client.force_login(member)
    assert f'href="{reverse("journal:home")}">My journey' in client.get(reverse("community:home")).content.decode()


def test_every_journal_action_refuses_someone_elses_row(full_journal, make_member):
    from django.core.exceptions import PermissionDenied

    from community.journal import actions

    stranger = make_member("Stranger")
    attempts = [
        lambda: actions.update_treatment(user=stranger, treatment=full_journal["treatment"], data={}),
        lambda: actions.delete_treatment(user=stranger, treatment=full_journal["treatment"]),
        lambda: actions.record_session(user=stranger, treatment=full_journal["treatment"], data={}),
        lambda: actions.update_session(user=stranger, session=full_journal["session"], data={}),
        lambda: actions.delete_session(user=stranger, session=full_journal["session"]),
        lambda: actions.update_checkin(user=stranger, checkin=full_journal["checkin"], data={}),
        lambda: actions.delete_checkin(user=stranger, checkin=full_journal["checkin"]),
        lambda: actions.toggle_question(user=stranger, question=full_journal["question"]),
        lambda: actions.delete_question(user=stranger, question=full_journal["question"]),
        lambda: actions.revoke_share_link(user=stranger, link=full_journal["link"]),
    ]
    before = journal_snapshot(full_journal["user"])
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert journal_snapshot(full_journal["user"]) == before
