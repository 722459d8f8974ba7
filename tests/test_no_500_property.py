"""No input answers 500, checked by hypothesis over every URL pattern, as each role.

For every pattern the site has (admin aside), the test fills the path with real objects
of the demo (kept consistent: a date of a meeting of a group) or with made-up values,
sends GET with made-up values for the query parameters the code reads and the GET forms
the page shows, then POST with values for the fields of the page's own forms (their real
choices among them) and the names the views read. Any status is fine but 500.

Profiles: ``ci`` (the default; derandomized, two examples per URL and role, about a
minute in all with two test processes) and ``deep`` (random, forty examples each): ``NO500_PROFILE=deep pytest tests/test_no_500_property.py``.
New URL patterns are covered as soon as they exist.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("NO500_EXAMPLES", "2")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = settings.get_profile(os.environ.get("NO500_PROFILE", "ci"))

ROLES = {
    "visitor": None,
    "member": "river@example.org",
    "new member": "newcomer@example.org",
    "moderator": "harbor@example.org",
    "staff": "staff@example.org",
}
# Values that broke pages before, or sit at an edge of a type.
EDGE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2027-03-14",
    "2026-11-01",
    "01:30",
    "02:30",
    "25:61",
    "9999-12-31T23:59:59.999999-23:59_1",
    "0001-01-01T00:00:00+23:59_1",
    "on",
    "true",
    "https://example.org/x",
    "http://",
    "<script>alert(1)</script>",
    "%",
    "'; --",
    "../../etc/passwd",
    "é" * 3,
    "x" * 5000,
    "\x00",
]


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name, pattern) for every URL of the site but Django's admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner == "admin":
                continue
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


# Every named pattern (an unnamed one cannot be reversed; the site has none).
ROUTES = sorted({(route, name) for route, name, _ in url_patterns() if name})


def names_read_by_views(where: str) -> list[str]:
    """The query or form names our views read directly (``request.GET.get("page")``)."""
    names = set()
    for path in [*ROOT.glob("community/**/*.py"), *ROOT.glob("groups/**/*.py")]:
        names |= set(re.findall(rf"request\.{where}\.get(?:list)?\(\"(\w+)\"", path.read_text()))
    return sorted(names)


GET_NAMES = names_read_by_views("GET")
POST_NAMES = names_read_by_views("POST")


class Forms(HTMLParser):
    """The fields of a page's forms, by method: {"get": {name: [choices]}, "post": {...}}."""

    def __init__(self):
        super().__init__()
        self.fields = {"get": {}, "post": {}}
        self.method = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.method = (attrs.get("method") or "get").lower()
        elif self.method in self.fields and tag in {"input", "select", "textarea"} and attrs.get("name"):
            name = attrs["name"]
            if name == "csrfmiddlewaretoken":
                return
            choices = self.fields[self.method].setdefault(name, [])
            if (
                tag == "input"
                and attrs.get("value") is not None
                and attrs.get("type") in {"radio", "checkbox", "hidden"}
            ):
                choices.append(attrs["value"])
            if tag == "select":
                self.select = choices
        elif tag == "option" and self.select is not None and attrs.get("value") is not None:
            self.select.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None
        elif tag == "select":
            self.select = None


def forms_of(html: str) -> dict:
    parser = Forms()
    parser.feed(html)
    return parser.fields


def value_for(choices: list[str]):
    options = [st.sampled_from(EDGE_VALUES), st.text(max_size=40), st.integers().map(str)]
    if choices:
        options = [st.sampled_from(choices), st.sampled_from(choices), *options]
    return st.one_of(options)


def path_parts(pattern: URLPattern) -> dict:
    """{name: regex} of the pattern's path parts (allauth's regex routes included)."""
    converters = getattr(pattern.pattern, "converters", {})
    if converters:
        return {key: converter.regex for key, converter in converters.items()}
    return dict.fromkeys(pattern.pattern.regex.groupindex, r"[0-9A-Za-z]{1,12}")


@st.composite
def path_kwargs(draw, pattern: URLPattern, real: dict):
    """Values for the pattern's path parts: mostly a consistent set of real objects."""
    parts = path_parts(pattern)
    kwargs = {}
    anchors = [chain for chain in real["chains"] if set(parts) <= set(chain)]
    if anchors and draw(st.integers(0, 4)):  # four times in five: objects that exist together
        chain = draw(st.sampled_from(anchors))
        kwargs = {key: chain[key] for key in parts}
    for key, regex in parts.items():
        if key in kwargs:
            continue
        if key in real["values"] and draw(st.booleans()):
            kwargs[key] = draw(st.sampled_from(real["values"][key]))
        elif regex == "[0-9]+":
            kwargs[key] = draw(st.integers(0, 2**70))
        else:
            kwargs[key] = draw(st.from_regex(regex, fullmatch=True).filter(lambda s: "/" not in s))
    return kwargs


def real_objects() -> dict:
    """Consistent chains of real demo objects for the path parts, and lone values."""
    from community.models import Article, CareEntry, CareReport, DataExport, ResourceSuggestion
    from groups.models import (
        CalendarFeed,
        GroupProposal,
        Invite,
        Meeting,
        Membership,
        ModerationLog,
        Occurrence,
        Post,
        QueueItem,
        Reply,
    )

    chains = []
    for o in Occurrence.objects.select_related("meeting__group")[:20]:
        chains.append({"group_slug": o.meeting.group.slug, "meeting_id": o.meeting_id, "occurrence_id": o.pk})
    for m in Meeting.objects.select_related("group"):
        chains.append({"group_slug": m.group.slug, "meeting_id": m.pk})
    for p in Post.objects.select_related("group")[:20]:
        chains.append({"group_slug": p.group.slug, "post_id": p.pk})
    for r in Reply.objects.select_related("post__group")[:20]:
        chains.append({"group_slug": r.post.group.slug, "reply_id": r.pk})
    for m in Membership.objects.select_related("group")[:30]:
        chains.append({"group_slug": m.group.slug, "membership_id": m.pk})
    for i in Invite.objects.select_related("group"):
        chains.append({"group_slug": i.group.slug, "invite_id": i.pk})
    values = {
        "group_slug": list({c["group_slug"] for c in chains}) or ["none"],
        "user_id": list(get_user_model().objects.values_list("pk", flat=True)),
        "item_id": list(QueueItem.objects.values_list("pk", flat=True)) or [1],
        "decision_id": list(ModerationLog.objects.values_list("pk", flat=True)[:20]) or [1],
        "proposal_id": list(GroupProposal.objects.values_list("pk", flat=True)) or [1],
        "suggestion_id": list(ResourceSuggestion.objects.values_list("pk", flat=True)) or [1],
        "entry_id": list(CareEntry.objects.values_list("pk", flat=True)[:20]) or [1],
        "report_id": list(CareReport.objects.values_list("pk", flat=True)) or [1],
        "article_slug": list(Article.objects.values_list("slug", flat=True)[:10]) or ["none"],
        "token": [
            *CalendarFeed.objects.values_list("token", flat=True),
            *Invite.objects.values_list("token", flat=True),
            *DataExport.objects.values_list("token", flat=True),
        ]
        or ["none"],
    }
    return {"chains": chains, "values": values}


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    return real_objects()


class RoleClient(Client):
    """A test client that stays signed in as its role: a POST to "log out" or "delete my
    account" with made-up values may have ended the session."""

    def __init__(self, email: str | None):
        super().__init__(raise_request_exception=False)
        self.email = email

    def request(self, **request):
        if self.email and "_auth_user_id" not in self.session:
            user = get_user_model().objects.filter(email=self.email, is_active=True).first()
            if user is not None:
                self.force_login(user)
        return super().request(**request)


PATTERNS = {(route, name): pattern for route, name, pattern in url_patterns()}


# The new member's pages are the member's with limits; they are walked in the deep profile.
CI_ROLES = ["visitor", "member", "moderator", "staff"]


@pytest.mark.parametrize("role", list(ROLES) if PROFILE.max_examples > 2 else CI_ROLES)
def test_no_url_answers_500_to_any_input(demo, role):
    """One hypothesis run per URL pattern (the demo is built once per role)."""
    client = RoleClient(ROLES[role])
    for route, name in ROUTES:
        pattern = PATTERNS[(route, name)]
        # The page's own forms, read once: their fields and choices feed the draws.
        forms = {}
        for kwargs in path_examples(pattern, demo):
            page = client.get(reverse(name, kwargs=kwargs))
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                forms = forms_of(page.content.decode())
                break
        check_route(name, pattern, forms, demo, client)


def path_examples(pattern: URLPattern, real: dict) -> list[dict]:
    parts = path_parts(pattern)
    chain = next((c for c in real["chains"] if set(parts) <= set(c)), None)
    if chain is not None:
        return [{key: chain[key] for key in parts}]
    if all(key in real["values"] for key in parts):
        return [{key: real["values"][key][0] for key in parts}]
    return []


def check_route(name: str, pattern: URLPattern, forms: dict, real: dict, client: "RoleClient") -> None:
    query_fields = {n: forms.get("get", {}).get(n, []) for n in sorted(set(GET_NAMES) | set(forms.get("get", {})))}
    post_fields = forms.get("post", {})

    @settings(PROFILE)
    @given(
        kwargs=path_kwargs(pattern, real),
        query=st.fixed_dictionaries({}, optional={n: value_for(c) for n, c in query_fields.items()}),
        form=st.fixed_dictionaries(
            {n: value_for(c) for n, c in post_fields.items()},
            optional={n: value_for([]) for n in POST_NAMES if n not in post_fields},
        ),
    )
    def no_500(kwargs, query, form):
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return
        assert client.get(path, query).status_code != 500, ("GET", name, path, query)
        assert client.post(path, form).status_code != 500, ("POST", name, path, form)

    no_500()
