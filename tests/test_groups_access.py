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

from community.notifications import unsubscribe_token
from groups.models import Invite, Membership

ROLES = ["visitor", "non_member", "pending", "member", "other_moderator", "moderator", "owner", "staff", "suspended"]
CANARY = "CANARY-private-7f3a"


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
        ("moderator", "moderator"),
        ("owner", "owner"),
        ("suspended", "member"),
    ]:
        add_member(group, people[role], role=membership_role)
        add_member(unlisted, people[role], role=membership_role)
    add_member(other, people["other_moderator"], role="moderator")
    post = make_post(group, people["member"], title=f"Post title {CANARY}", body=f"Body {CANARY}")
    reply = make_reply(post, people["member"], body=f"Reply {CANARY}")
    invite = Invite.objects.create(
        group=unlisted, created_by=people["owner"], expires_at=timezone.now() + timedelta(days=3)
    )
    people["suspended"].is_active = False
    people["suspended"].save()
    target = Membership.objects.get(group=group, user=people["member"])
    return {
        "group": group,
        "unlisted": unlisted,
        "people": people,
        "post": post,
        "reply": reply,
        "invite": invite,
        "membership": target,
        "pending_membership": Membership.objects.get(group=group, user=people["pending"]),
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
    }
    return fixed[name] if name in fixed else _content_kwargs(name, world)


def _content_kwargs(name, world):
    group = world["group"]
    if name.startswith("reply-") and name != "reply-create":
        return {"group_slug": group.slug, "reply_id": world["reply"].pk}
    if (name.startswith("post-") and name not in ("post-list", "post-create")) or name == "reply-create":
        return {"group_slug": group.slug, "post_id": world["post"].pk}
    return {"group_slug": group.slug}


# Expected status of a GET, per role, in ROLES order. "L" = redirected to log in.
L = "login"
READERS = [L, 404, 404, 200, 404, 200, 200, 200, L]
MODERATORS = [L, 404, 404, 404, 404, 200, 200, 200, L]
AUTHOR_ONLY = [L, 404, 404, 200, 404, 404, 404, 404, L]
SIGNED_IN = [L, 200, 200, 200, 200, 200, 200, 200, L]
POST_ONLY = [L, 405, 405, 405, 405, 405, 405, 405, L]
EVERYONE = [200] * 9

GET_MATRIX = {
    "group-list": EVERYONE,
    "my-groups": SIGNED_IN,
    "group-propose": SIGNED_IN,
    "proposal-list": [L, 403, 403, 403, 403, 403, 403, 200, L],
    "proposal-decide": POST_ONLY,
    "invite-accept": EVERYONE,
    "group-detail": EVERYONE,
    "group-join": SIGNED_IN,
    "group-leave": SIGNED_IN,
    "group-follow": POST_ONLY,
    "member-list": READERS,
    "member-role": POST_ONLY,
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
    "post-history": MODERATORS,
    "reply-edit": AUTHOR_ONLY,
    "reply-delete": POST_ONLY,
    "reply-react": POST_ONLY,
    "reply-history": MODERATORS,
}

# Expected status of a POST with valid data. 302 = done and redirected; "L" = log in.
READER_WRITE = [L, 404, 404, 302, 404, 302, 302, 302, L]
# Staff read every group but write only where they are members: a clear 400 message here.
MEMBER_WRITE = [L, 404, 404, 302, 404, 302, 302, 400, L]
MODERATOR_WRITE = [L, 404, 404, 404, 404, 302, 302, 302, L]
AUTHOR_WRITE = [L, 404, 404, 302, 404, 404, 404, 404, L]
POST_MATRIX = {
    "group-follow": ({"follow": "1"}, [L, 404, 404, 302, 404, 302, 302, 302, L]),
    "member-role": ({"role": "moderator"}, [L, 404, 404, 403, 404, 403, 302, 302, L]),
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
}


def group_url_names() -> set[str]:
    resolver = get_resolver()
    return {name for name in resolver.namespace_dict["groups"][1].reverse_dict if isinstance(name, str)}


def test_every_group_url_has_a_row():
    assert group_url_names() == set(GET_MATRIX)


def assert_status(response, expected, *, label):
    if expected == L:
        assert response.status_code == 302, label
        assert response.url.startswith(reverse("account_login")), label
    else:
        assert response.status_code == expected, f"{label}: got {response.status_code}"


def assert_no_leak(response, label):
    if response.status_code in (403, 404) or (response.status_code == 302 and "login" in response.get("Location", "")):
        assert CANARY not in response.content.decode(), f"{label} leaked private text"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_get_matrix(world, name):
    url = reverse(f"groups:{name}", kwargs=kwargs_for(name, world))
    for role, expected in zip(ROLES, GET_MATRIX[name], strict=True):
        response = client_for(world, role).get(url)
        assert_status(response, expected, label=f"GET {name} as {role}")
        assert_no_leak(response, f"GET {name} as {role}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(POST_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, name, role):
    data, expectations = POST_MATRIX[name]
    expected = expectations[ROLES.index(role)]
    url = reverse(f"groups:{name}", kwargs=kwargs_for(name, world))
    response = client_for(world, role).post(url, data)
    assert_status(response, expected, label=f"POST {name} as {role}")
    assert_no_leak(response, f"POST {name} as {role}")


UNLISTED_VISIBILITY = [404, 404, 404, 200, 404, 200, 200, 200, 404]


@pytest.mark.django_db
def test_unlisted_group_page_is_a_404_for_outsiders(world):
    url = reverse("groups:group-detail", kwargs={"group_slug": world["unlisted"].slug})
    for role, expected in zip(ROLES, UNLISTED_VISIBILITY, strict=True):
        response = client_for(world, role).get(url)
        assert response.status_code == expected, role
        if expected == 404:
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
        assert client_for(world, role).get(url).status_code == 200
    assert Client().get(url.replace(url.split("/")[-2], "forged-token")).status_code == 404
