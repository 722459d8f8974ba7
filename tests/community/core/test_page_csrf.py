"""One masked CSRF token per response (community/core/csrf.py): every form of a page
carries the same token, each response another, and the token is accepted."""

import re

import pytest
from django.middleware.csrf import rotate_token
from django.test import Client, RequestFactory
from django.urls import reverse

from community.core.csrf import page_csrf_input, page_token
from groups.moderation.intake import create_report

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def tokens(response) -> list[str]:
    return TOKEN.findall(response.content.decode())


@pytest.fixture
def circle(make_group, make_member, add_member, make_post, make_reply):
    group = make_group("Token Circle")
    moderator, reader, writer = make_member("Mod"), make_member("Reader"), make_member("Writer")
    add_member(group, moderator, role="moderator")
    add_member(group, reader)
    add_member(group, writer)
    post = make_post(group, writer, title="Evenings")
    replies = [make_reply(post, writer, body=f"Reply {n}") for n in range(3)]
    create_report(reporter=reader, group=group, post=post, reason="spam")
    return group, moderator, reader, post, replies


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_every_form_of_a_thread_carries_one_token_and_it_is_accepted(circle):
    _group, _moderator, reader, post, replies = circle
    client = signed_in(reader)
    for _kept_or_built in range(2):  # the first page is built, the second read kept
        response = client.get(post.get_absolute_url())
        # The header's sign-out, the reply form and each reply's reaction buttons.
        found = tokens(response)
        assert len(found) > len(replies)
        assert len(set(found)) == 1
    # Another response, another mask; the same secret underneath.
    assert tokens(client.get(post.get_absolute_url()))[0] != found[0]
    react = reverse("groups:reply-react", args=[post.group.slug, replies[0].pk])
    assert client.post(react, {"kind": "hope", "csrfmiddlewaretoken": found[0]}).status_code == 302
    assert replies[0].reactions.filter(user=reader, kind="hope").exists()
    # A made-up token is still refused, and nothing is saved.
    bad = client.post(react, {"kind": "me_too", "csrfmiddlewaretoken": "x" * 64})
    assert bad.status_code == 403
    assert not replies[0].reactions.filter(user=reader, kind="me_too").exists()


def test_every_form_of_the_queue_carries_one_token(circle):
    _group, moderator, *_rest = circle
    response = signed_in(moderator).get(reverse("moderation:queue"))
    found = tokens(response)
    assert len(found) > 1
    assert len(set(found)) == 1


def test_a_new_secret_gets_a_new_token():
    request = RequestFactory().get("/")
    first = page_token(request)
    assert page_token(request) == first
    assert f'value="{first}"' in page_csrf_input(request)
    rotate_token(request)  # as signing in does
    second = page_token(request)
    assert second != first
    assert page_token(request) == second
