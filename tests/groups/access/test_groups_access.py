"""Every group URL against every role: who gets the page, who gets a 404 (never a hint
that a private thing exists), who is sent to log in.

The matrix is built from the URL configuration: a new URL without a row here fails
``test_every_group_url_has_a_row``.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from community.notifications.actions import unsubscribe_token
from groups.checkins.actions import start_check_in
from groups.models import CalendarFeed, Invite, Membership
from groups.moderation.intake import create_report
from groups.moderation.members import warn_member
from groups.settings.actions import add_watched_word
from tests.groups.meetings.factories import make_meeting

ROLES = [
    "visitor",
    "non_member",
    "pending",
    "member",
    "muted",
    "other_moderator",
    "moderator",
    "owner",
    "staff",
    "suspended",
]
CANARY = "CANARY-private-7f3a"
VIDEO_CANARY = "room-CANARY-video-91c2"


@pytest.fixture
def world(make_member, make_group, add_member, make_post, make_reply):
    """A listed request-policy group with people in every role, a post and a reply whose
    texts carry a canary, an unlisted group, and another group with its own moderator."""
    group = make_group("Quiet Harbour", slug="quiet-harbour", join_policy="request")
    unlisted = make_group("Hidden Cove", slug="hidden-cove", join_policy="invite", is_listed=False)
    other = make_group("Other Place", slug="other-place")
    people = {role: make_member(role.replace("_", " ").title()) for role in ROLES if role != "visitor"}
    people["staff"].is_staff = True
    people["staff"].save()
    add_member(group, people["pending"], status="pending")
    for role, membership_role in [
        ("member", "member"),
        ("muted", "member"),
        ("moderator", "moderator"),
        ("owner", "owner"),
        ("suspended", "member"),
    ]:
        add_member(group, people[role], role=membership_role)
        add_member(unlisted, people[role], role=membership_role)
    Membership.objects.filter(user=people["muted"]).update(muted_until=timezone.now() + timedelta(days=1))
    add_member(other, people["other_moderator"], role="moderator")
    post = make_post(group, people["member"], title=f"Post title {CANARY}", body=f"Body {CANARY}")
    reply = make_reply(post, people["member"], body=f"Reply {CANARY}")
    invite = Invite.objects.create(
        group=unlisted, created_by=people["owner"], expires_at=timezone.now() + timedelta(days=3)
    )
    people["suspended"].is_suspended = True
    people["suspended"].save()
    target = Membership.objects.get(group=group, user=people["member"])
    report = create_report(reporter=people["owner"], group=group, post=post, reason="spam")
    meeting = make_meeting(
        group,
        people["moderator"],
        video_url=f"https://video.example.org/{VIDEO_CANARY}",
        time_zone="America/Denver",
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    feed = CalendarFeed.objects.create(user=people["member"])
    warning = warn_member(moderator=people["moderator"], group=group, user=people["member"], reason="unkind")
    check_in = start_check_in(
        moderator=people["moderator"], group=group, member=people["member"], body=f"How are you? {CANARY}"
    )
    word = add_watched_word(moderator=people["moderator"], group=group, phrase="miracle cure", action="hold")
    return {
        "group": group,
        "unlisted": unlisted,
        "people": people,
        "post": post,
        "reply": reply,
        "invite": invite,
        "membership": target,
        "pending_membership": Membership.objects.get(group=group, user=people["pending"]),
        "queue_item": report.queue_item,
        "meeting": meeting,
        "occurrence": meeting.occurrences.order_by("start").first(),
        "feed": feed,
        "warning": warning,
        "check_in": check_in,
        "word": word,
    }


def client_for(world, role) -> Client:
    client = Client()
    if role != "visitor":
        client.force_login(world["people"][role])
    return client


def kwargs_for(name: str, world) -> dict:
    group = world["group"]
    fixed = {
        "group-list": {},
        "my-groups": {},
        "group-propose": {},
        "proposal-list": {},
        "proposal-decide": {"proposal_id": 1},
        "invite-accept": {"token": world["invite"].token},
        "group-detail": {"group_slug": group.slug},
        "member-role": {"group_slug": group.slug, "membership_id": world["membership"].pk},
        "join-request-decide": {"group_slug": group.slug, "membership_id": world["pending_membership"].pk},
        "invite-revoke": {"group_slug": world["unlisted"].slug, "invite_id": world["invite"].pk},
        "invite-list": {"group_slug": group.slug},
        "queue": {},
        "log": {},
        "log-export": {},
        "my-decisions": {},
        "item-claim": {"item_id": world["queue_item"].pk},
        "item-decide": {"item_id": world["queue_item"].pk},
        "appeal-create": {"decision_id": world["warning"].pk},
        "account": {"user_id": world["people"]["member"].pk},
        "account-suspend": {"user_id": world["people"]["member"].pk},
        "my-meetings": {},
        "calendar-feed-settings": {},
        "calendar-feed": {"token": world["feed"].token},
        "check-in-detail": {"group_slug": group.slug, "check_in_id": world["check_in"].pk},
        "check-in-reply": {"group_slug": group.slug, "check_in_id": world["check_in"].pk},
        "word-remove": {"group_slug": group.slug, "word_id": world["word"].pk},
    }
    return fixed[name] if name in fixed else _content_kwargs(name, world)


def url_for(namespace: str, name: str, world) -> str:
    """The URL a row checks: the route, and for pages that need one, the query saying what about."""
    url = reverse(f"{namespace}:{name}", kwargs=kwargs_for(name, world))
    if name == "check-in-create":
        url += f"?membership={world['membership'].pk}"
    return url


def _content_kwargs(name, world):
    group = world["group"]
    if name.startswith("occurrence-"):
        return {"group_slug": group.slug, "meeting_id": world["meeting"].pk, "occurrence_id": world["occurrence"].pk}
    if name.startswith("meeting-") and name not in ("meeting-list", "meeting-create"):
        return {"group_slug": group.slug, "meeting_id": world["meeting"].pk}
    if name.startswith("member-") and name != "member-list":
        return {"group_slug": group.slug, "membership_id": world["membership"].pk}
    if name.startswith("reply-") and name != "reply-create":
        return {"group_slug": group.slug, "reply_id": world["reply"].pk}
    if (name.startswith("post-") and name not in ("post-list", "post-create")) or name == "reply-create":
        return {"group_slug": group.slug, "post_id": world["post"].pk}
    return {"group_slug": group.slug}


# Expected status of a GET, per role, in ROLES order:
#   visitor, non_member, pending, member, muted, other_moderator, moderator, owner, staff, suspended.
# "L" = redirected to log in. A suspended account is signed out and shown the suspension page (403).
L = "login"
S = "suspended"
READERS = [L, 404, 404, 200, 200, 404, 200, 200, 200, S]
MODERATORS = [L, 404, 404, 404, 404, 404, 200, 200, 200, S]
AUTHOR_ONLY = [L, 404, 404, 200, 404, 404, 404, 404, 404, S]
SIGNED_IN = [L, 200, 200, 200, 200, 200, 200, 200, 200, S]
POST_ONLY = [L, 405, 405, 405, 405, 405, 405, 405, 405, S]
EVERYONE = [200, 200, 200, 200, 200, 200, 200, 200, 200, S]
# Earlier versions of a post or reply: its author (the member here) and moderators.
AUTHOR_AND_MODERATORS = [L, 404, 404, 200, 404, 404, 200, 200, 200, S]
STAFF_ONLY = [L, 403, 403, 403, 403, 403, 403, 403, 200, S]
ANY_MODERATOR = [L, 403, 403, 403, 403, 200, 200, 200, 200, S]
OWNERS = [L, 404, 404, 404, 404, 404, 404, 200, 200, S]

GET_MATRIX = {
    "group-list": EVERYONE,
    "my-groups": SIGNED_IN,
    "group-propose": SIGNED_IN,
    "proposal-list": STAFF_ONLY,
    "proposal-decide": POST_ONLY,
    "invite-accept": EVERYONE,
    "group-detail": EVERYONE,
    "group-join": SIGNED_IN,
    "group-leave": SIGNED_IN,
    "group-follow": POST_ONLY,
    "member-list": READERS,
    "member-role": POST_ONLY,
    "member-report": READERS,
    "member-moderate": MODERATORS,
    "member-act": POST_ONLY,
    "member-note": POST_ONLY,
    "join-request-list": MODERATORS,
    "join-request-decide": POST_ONLY,
    "invite-list": MODERATORS,
    "invite-revoke": POST_ONLY,
    "post-list": READERS,
    "post-create": READERS,
    "post-detail": READERS,
    "reply-create": POST_ONLY,
    "post-edit": AUTHOR_ONLY,
    "post-delete": POST_ONLY,
    "post-react": POST_ONLY,
    "post-pin": POST_ONLY,
    "post-lock": POST_ONLY,
    "post-history": AUTHOR_AND_MODERATORS,
    "post-report": READERS,
    "post-moderate": POST_ONLY,
    "post-slow-mode": POST_ONLY,
    "reply-edit": AUTHOR_ONLY,
    "reply-delete": POST_ONLY,
    "reply-react": POST_ONLY,
    "reply-history": AUTHOR_AND_MODERATORS,
    "reply-report": READERS,
    "reply-moderate": POST_ONLY,
    "my-meetings": SIGNED_IN,
    # The buttons on "My meetings" post here; a GET has nothing to show.
    "calendar-feed-settings": [L, 404, 404, 404, 404, 404, 404, 404, 404, S],
    # Calendar apps cannot log in: the long random token in the address is the key.
    "calendar-feed": EVERYONE,
    "meeting-list": READERS,
    "meeting-create": MODERATORS,
    "meeting-detail": READERS,
    "meeting-edit": MODERATORS,
    "meeting-ics": READERS,
    "meeting-rsvp-series": POST_ONLY,
    "occurrence-detail": READERS,
    "occurrence-ics": READERS,
    "occurrence-rsvp": POST_ONLY,
    "occurrence-cancel-rsvp": POST_ONLY,
    "occurrence-cancel": POST_ONLY,
    "occurrence-move": MODERATORS,
    # Running a group: owners (and staff) change everything, moderators the moderating parts.
    "group-settings": MODERATORS,
    "settings-profile": POST_ONLY,
    "settings-joining": POST_ONLY,
    "settings-holds": POST_ONLY,
    "settings-questions": POST_ONLY,
    "word-add": POST_ONLY,
    "word-remove": POST_ONLY,
    # Without a date range the owner is sent back to the settings page with a message.
    "group-log-export": [L, 404, 404, 404, 404, 404, 404, 302, 302, S],
    "rules-edit": OWNERS,
    # The rules are public wherever the group page is; so is how they changed.
    "rules-history": EVERYONE,
    "rules-accept": POST_ONLY,
    # Check-ins: a member's list holds only their own; the thread is the member's (here
    # "member"), the group's moderators' and staff's; another member gets a 404.
    "check-in-list": READERS,
    "check-in-create": MODERATORS,
    "check-in-detail": [L, 404, 404, 200, 404, 404, 200, 200, 200, S],
    "check-in-reply": POST_ONLY,
}

MODERATION_GET_MATRIX = {
    "queue": ANY_MODERATOR,
    "item-claim": POST_ONLY,
    "item-decide": POST_ONLY,
    "log": ANY_MODERATOR,
    # Without a date range staff are sent back to the log with a message.
    "log-export": [L, 403, 403, 403, 403, 403, 403, 403, 302, S],
    "my-decisions": SIGNED_IN,
    "appeal-create": [L, 404, 404, 200, 404, 404, 404, 404, 404, S],
    "account": STAFF_ONLY,
    "account-suspend": POST_ONLY,
}

# Expected status of a POST with valid data. 302 = done and redirected; "L" = log in.
# A 400 is a refusal with a clear message (for example, staff who are not members
# cannot post; a muted member cannot write; nobody can report their own post).
READER_WRITE = [L, 404, 404, 302, 302, 404, 302, 302, 302, S]
MEMBER_WRITE = [L, 404, 404, 302, 400, 404, 302, 302, 400, S]
MODERATOR_WRITE = [L, 404, 404, 404, 404, 404, 302, 302, 302, S]
AUTHOR_WRITE = [L, 404, 404, 302, 404, 404, 404, 404, 404, S]
REPORT_WRITE = [L, 404, 404, 400, 302, 404, 302, 302, 302, S]
OWNER_WRITE = [L, 404, 404, 404, 404, 404, 404, 302, 302, S]
POST_MATRIX = {
    # Staff who are not members are told they cannot follow (a message, then back).
    "group-follow": ({"follow": "1"}, READER_WRITE),
    "member-role": ({"role": "moderator"}, [L, 404, 404, 403, 403, 404, 403, 302, 302, S]),
    "member-act": ({"action": "warn", "reason": "unkind"}, MODERATOR_WRITE),
    "member-note": ({"text": "Seemed low today; checked in."}, MODERATOR_WRITE),
    "member-report": ({"reason": "harassment"}, REPORT_WRITE),
    "join-request-decide": ({"decision": "approve"}, MODERATOR_WRITE),
    "invite-list": ({"max_uses": "1", "valid_days": "7"}, MODERATOR_WRITE),
    "reply-create": ({"body": "Thinking of you."}, MEMBER_WRITE),
    "post-create": ({"title": "Hello", "body": "Hi there."}, MEMBER_WRITE),
    "post-react": ({"kind": "support"}, READER_WRITE),
    "reply-react": ({"kind": "me_too"}, READER_WRITE),
    "post-pin": ({"pinned": "1"}, MODERATOR_WRITE),
    "post-lock": ({"locked": "1"}, MODERATOR_WRITE),
    "post-edit": ({"title": "Changed", "body": "Changed body."}, AUTHOR_WRITE),
    "reply-edit": ({"body": "Changed reply."}, AUTHOR_WRITE),
    "post-delete": ({}, AUTHOR_WRITE),
    "reply-delete": ({}, AUTHOR_WRITE),
    # The owner reported this post already in the world above: a second report is refused.
    "post-report": ({"reason": "spam"}, [L, 404, 404, 400, 302, 404, 302, 400, 302, S]),
    "reply-report": ({"reason": "at_risk"}, REPORT_WRITE),
    "post-moderate": ({"action": "remove", "reason": "unsafe"}, MODERATOR_WRITE),
    "reply-moderate": ({"action": "remove", "reason": "unsafe"}, MODERATOR_WRITE),
    "post-slow-mode": ({"minutes": "10", "reason": "Heated thread"}, MODERATOR_WRITE),
    # Staff who are not members are told they cannot RSVP (a message, then back).
    "occurrence-rsvp": ({}, READER_WRITE),
    "occurrence-cancel-rsvp": ({}, READER_WRITE),
    "meeting-rsvp-series": ({}, READER_WRITE),
    "occurrence-cancel": ({"note": "Room closed"}, MODERATOR_WRITE),
    "occurrence-move": (
        {"new_date": (timezone.now() + timedelta(days=5)).date().isoformat(), "new_time": "18:00"},
        MODERATOR_WRITE,
    ),
    "calendar-feed-settings": ({"action": "create"}, [L, 302, 302, 302, 302, 302, 302, 302, 302, S]),
    "meeting-create": (
        {
            "title": "New",
            "kind": "online",
            "video_url": "https://v.example.org/x",
            "time_zone": "UTC",
            "starts_on": (timezone.now() + timedelta(days=3)).date().isoformat(),
            "start_time": "10:00",
            "duration_minutes": "60",
            "frequency": "once",
        },
        MODERATOR_WRITE,
    ),
}
POST_MATRIX |= {
    "settings-profile": ({"name": "Quiet Harbour Two", "description": "Calm."}, OWNER_WRITE),
    "settings-joining": ({"join_policy": "request", "is_listed": "on"}, OWNER_WRITE),
    "settings-holds": ({"hold_first_posts": "1", "slow_mode_minutes": "0"}, MODERATOR_WRITE),
    "settings-questions": ({"question_0": "What brings you here?"}, OWNER_WRITE),
    "word-add": ({"phrase": "guaranteed cure", "action": "hold"}, MODERATOR_WRITE),
    "word-remove": ({}, MODERATOR_WRITE),
    "rules-edit": ({"rules": "Be kind. No method details."}, OWNER_WRITE),
    # Anyone who sees the group may send it; only members' confirmation changes anything.
    "rules-accept": ({}, [L, 302, 302, 302, 302, 302, 302, 302, 302, S]),
    "check-in-create": ({"body": "Thinking of you."}, MODERATOR_WRITE),
    "check-in-reply": ({"body": "Thank you."}, [L, 404, 404, 302, 404, 404, 302, 302, 302, S]),
}
MODERATION_POST_MATRIX = {
    "item-claim": ({}, [L, 404, 404, 404, 404, 404, 302, 302, 302, S]),
    "item-decide": ({"decision": "approve"}, [L, 404, 404, 404, 404, 404, 302, 302, 302, S]),
    "appeal-create": ({"text": "I was quoting someone."}, [L, 404, 404, 302, 404, 404, 404, 404, 404, S]),
    "account-suspend": ({"days": "7", "reason": "Repeated harassment"}, [L, 403, 403, 403, 403, 403, 403, 403, 302, S]),
}


def url_names(namespace: str) -> set[str]:
    resolver = get_resolver()
    return {name for name in resolver.namespace_dict[namespace][1].reverse_dict if isinstance(name, str)}


def test_every_group_url_has_a_row():
    assert url_names("groups") == set(GET_MATRIX)
    assert url_names("moderation") == set(MODERATION_GET_MATRIX)


def assert_status(response, expected, *, label):
    if expected == S:
        assert response.status_code == 403, label
        assert "This account is suspended" in response.content.decode(), label
    elif expected == L:
        assert response.status_code == 302, label
        assert response.url.startswith(reverse("account_login")), label
    else:
        assert response.status_code == expected, f"{label}: got {response.status_code}"


def assert_no_leak(response, label):
    if response.status_code in (403, 404) or (response.status_code == 302 and "login" in response.get("Location", "")):
        assert CANARY not in response.content.decode(), f"{label} leaked private text"


ALL_GETS = [("groups", name, row) for name, row in GET_MATRIX.items()] + [
    ("moderation", name, row) for name, row in MODERATION_GET_MATRIX.items()
]
ALL_POSTS = [("groups", name, spec) for name, spec in POST_MATRIX.items()] + [
    ("moderation", name, spec) for name, spec in MODERATION_POST_MATRIX.items()
]


@pytest.mark.django_db
@pytest.mark.parametrize(("namespace", "name", "row"), ALL_GETS, ids=[f"{n}:{m}" for n, m, _ in ALL_GETS])
def test_get_matrix(world, namespace, name, row):
    url = url_for(namespace, name, world)
    for role, expected in zip(ROLES, row, strict=True):
        response = client_for(world, role).get(url)
        assert_status(response, expected, label=f"GET {name} as {role}")
        assert_no_leak(response, f"GET {name} as {role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("namespace", "name", "spec"), ALL_POSTS, ids=[f"{n}:{m}" for n, m, _ in ALL_POSTS])
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, namespace, name, spec, role):
    data, expectations = spec
    expected = expectations[ROLES.index(role)]
    url = url_for(namespace, name, world)
    response = client_for(world, role).post(url, data)
    assert_status(response, expected, label=f"POST {name} as {role}")
    assert_no_leak(response, f"POST {name} as {role}")


UNLISTED_VISIBILITY = [404, 404, 404, 200, 200, 404, 200, 200, 200, S]


@pytest.mark.django_db
def test_unlisted_group_page_is_a_404_for_outsiders(world):
    url = reverse("groups:group-detail", kwargs={"group_slug": world["unlisted"].slug})
    for role, expected in zip(ROLES, UNLISTED_VISIBILITY, strict=True):
        response = client_for(world, role).get(url)
        assert_status(response, expected, label=role)
        if expected in (404, S):
            assert "Hidden Cove" not in response.content.decode()


@pytest.mark.django_db
def test_unlisted_group_is_not_in_the_directory(world):
    html = client_for(world, "member").get(reverse("groups:group-list")).content.decode()
    assert "Quiet Harbour" in html
    assert "Hidden Cove" not in html


@pytest.mark.django_db
def test_unsubscribe_link_works_for_anyone_holding_it(world):
    member = world["people"]["member"]
    url = reverse("community:unsubscribe", kwargs={"token": unsubscribe_token(member)})
    for role in ROLES:
        assert client_for(world, role).get(url).status_code == (403 if role == "suspended" else 200)
    assert Client().get(url.replace(url.split("/")[-2], "forged-token")).status_code == 404


@pytest.mark.django_db
def test_video_link_never_shows_without_an_rsvp(world):
    """docs/safety.md rule 9: nobody in the world above has RSVP'd, so no page, file or feed
    shows the link, to anyone (except to the moderators in the form that sets it)."""
    for namespace, name, _row in ALL_GETS:
        url = url_for(namespace, name, world)
        for role in ROLES:
            if name == "meeting-edit" and role in ("moderator", "owner", "staff"):
                continue
            response = client_for(world, role).get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert VIDEO_CANARY not in body.decode(), f"{name} as {role}"
