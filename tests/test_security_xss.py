"""Cross-site scripting: a corpus of known payloads (tests/data/xss_payloads.txt) goes
into every field a member can fill, and every page that shows it must keep it inert: no
script element of ours without the page's nonce, no on* attribute, no javascript:,
vbscript: or data: address in a link or form. A Hypothesis test checks the Markdown
pipeline itself on random input."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.core.markdown import render_markdown
from community.models import ResourceSuggestion
from groups.models import Membership
from groups.moderation.appeals import appeal_decision
from groups.moderation.intake import create_report
from groups.moderation.members import warn_member
from groups.posts.actions import create_post, create_reply
from tests.groups.meetings.factories import make_meeting

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
    if line.strip() and not line.startswith("# ")
]
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}


class InertChecker(HTMLParser):
    """Collects every way the HTML could run a script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script" and "nonce" not in names:
            self.problems.append(f"<script> without nonce: {attrs}")
        if tag in {"iframe", "object", "embed", "base", "svg", "math"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and value:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(BAD_SCHEMES):
                    self.problems.append(f"{tag} {name}={value!r}")
            if tag == "meta" and name == "http-equiv" and value and value.lower() == "refresh":
                self.problems.append("meta refresh")


def problems_in(html: str) -> list[str]:
    checker = InertChecker()
    checker.feed(html)
    checker.close()
    return checker.problems


def assert_inert(client: Client, url: str, label: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert problems_in(response.content.decode()) == [], label


@pytest.fixture
def place(make_member, make_group, add_member):
    group = make_group("Harbour", slug="harbour", allow_anonymous=True)
    author = make_member("Author Ash")
    moderator = make_member("Mod Mo")
    add_member(group, author)
    add_member(group, moderator, role="moderator")
    client = Client()
    client.force_login(moderator)
    return {"group": group, "author": author, "moderator": moderator, "client": client}


def test_corpus_has_at_least_fifty_payloads():
    assert len(PAYLOADS) >= 50


def test_the_checker_catches_what_it_should():
    assert problems_in('<a href=" JavaScript:alert(1)">x</a>')
    assert problems_in("<img src=x onerror=alert(1)>")
    assert problems_in("<script>alert(1)</script>")
    assert not problems_in('<script nonce="abc" src="/static/app.js"></script><a href="/ok">ok</a>')


def test_posts_replies_and_content_warnings_render_inert(place):
    group, author, client = place["group"], place["author"], place["client"]
    for payload in PAYLOADS:
        post = create_post(author=author, group=group, title=payload[:150], body=payload, content_warning=payload[:100])
        reply = create_reply(author=author, post=post, body=payload, content_warning=payload[:100])
        assert_inert(client, post.get_absolute_url(), f"post {payload!r}")
        assert reply.pk
    assert_inert(client, reverse("groups:post-list", kwargs={"group_slug": group.slug}), "post list")
    assert_inert(client, reverse("community:search") + "?q=alert", "search")
    assert_inert(client, reverse("community:home"), "home")


def test_display_name_and_about_me_render_inert(place):
    group, author, client = place["group"], place["author"], place["client"]
    post = create_post(author=author, group=group, title="Hello", body="Hi")
    own = Client()
    own.force_login(author)
    for payload in PAYLOADS:
        # Straight into the database: the form would refuse most of these names, and the
        # page must be safe even for a name that got in some other way.
        type(author).objects.filter(pk=author.pk).update(display_name=payload[:30], about=payload)
        assert_inert(client, post.get_absolute_url(), f"display name {payload!r}")
        assert_inert(client, reverse("groups:member-list", kwargs={"group_slug": group.slug}), "member list")
        assert_inert(own, reverse("community:profile-edit"), f"about me {payload!r}")


def test_group_texts_render_inert(place, client):
    group = place["group"]
    for payload in PAYLOADS:
        type(group).objects.filter(pk=group.pk).update(
            name=payload[:80], description=payload[:200], about=payload, rules=payload
        )
        assert_inert(client, reverse("groups:group-detail", kwargs={"group_slug": group.slug}), f"group {payload!r}")
    assert_inert(client, reverse("groups:group-list"), "directory")


def test_meeting_fields_render_inert(place):
    group, moderator, client = place["group"], place["moderator"], place["client"]
    meeting = make_meeting(group, moderator, title="Circle", kind="hybrid", place_name="Library", address="1 Main St")
    url = reverse("groups:meeting-detail", kwargs={"group_slug": group.slug, "meeting_id": meeting.pk})
    for payload in PAYLOADS:
        type(meeting).objects.filter(pk=meeting.pk).update(
            title=payload[:120],
            description=payload,
            place_name=payload[:120],
            address=payload[:250],
            access_notes=payload[:500],
        )
        assert_inert(client, url, f"meeting {payload!r}")
    assert_inert(client, reverse("groups:meeting-list", kwargs={"group_slug": group.slug}), "meeting list")


def test_report_notes_join_answers_and_appeals_render_inert(place, make_member, add_member):
    group, author, moderator, client = place["group"], place["author"], place["moderator"], place["client"]
    queue = reverse("moderation:queue")
    requests = reverse("groups:join-request-list", kwargs={"group_slug": group.slug})
    for n, payload in enumerate(PAYLOADS):
        reporter = make_member(f"Reporter {n}")
        add_member(group, reporter)
        post = create_post(author=author, group=group, title=f"Post {n}", body="words")
        create_report(reporter=reporter, group=group, post=post, reason="other", note=payload)
        asker = make_member(f"Asker {n}")
        membership = add_member(group, asker, status="pending")
        Membership.objects.filter(pk=membership.pk).update(answers=[{"question": payload, "answer": payload}])
        decision = warn_member(moderator=moderator, group=group, user=reporter, reason="unkind", note=payload)
        appeal_decision(user=reporter, decision=decision, text=payload)
    assert_inert(client, queue, "queue with report notes and appeals")
    assert_inert(client, requests, "join requests")
    mine = Client()
    mine.force_login(reporter)
    assert_inert(mine, reverse("moderation:my-decisions"), "my decisions")


def test_resource_suggestions_render_inert(place, staff, client):
    for payload in PAYLOADS:
        ResourceSuggestion.objects.create(
            suggested_by=place["author"], title=payload[:150], url="https://example.org/", reason=payload
        )
    client.force_login(staff)
    assert_inert(client, reverse("community:suggestion-list"), "suggestions")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(PAYLOADS),
            st.sampled_from(
                ["<", ">", '"', "'", "`", "[", "](", ")", "javascript:", "on", "=", "&#", "\n", "*", "<a "]
            ),
        ),
        max_size=12,
    ).map("".join)
)
def test_markdown_output_is_always_inert(text):
    html = render_markdown(text)
    assert problems_in(html) == []
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
