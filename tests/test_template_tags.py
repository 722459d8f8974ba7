"""Template tags of our own."""

import re
from datetime import UTC, date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from community.core.urls import row_url, url
from groups.forms import DirectoryFilterForm


@pytest.mark.parametrize("slug", ["living-with-trd", "group-987654321987654321"])
@pytest.mark.parametrize("row_id", [1, 42, 987654321])
def test_row_url_gives_what_reverse_gives(slug, row_id):
    for name in ["groups:reply-react", "groups:reply-report", "groups:post-detail"]:
        assert row_url(name, slug, row_id) == reverse(name, args=[slug, row_id])
    assert row_url("moderation:item-claim", row_id) == reverse("moderation:item-claim", args=[row_id])


# --- {% jinja %}: the lists rendered by Jinja2 mean what Django's templates meant ---

WINTER_EVENING = datetime(2026, 1, 15, 3, 30, tzinfo=UTC)  # 8:30 PM the day before in Denver
SUMMER_NOON = datetime(2026, 7, 4, 18, 0, tzinfo=UTC)
MIDNIGHT_IN_BERLIN = datetime(2026, 3, 28, 23, 5, tzinfo=UTC)  # the night the clocks go forward there
TWICE_IN_DENVER = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 1:30 AM in the hour Denver lives twice
DATE_FORMATS = ["c", "M j, g:i A T", "D M j, g:i A T", "M j, Y, g:i A T", "M j, Y", "F j, Y", "Y-m-d", "N jS, P", ""]


def _django(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def _jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("zone", ["America/Denver", "Europe/Berlin", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize(
    ("when", "format_"),
    [
        (when, format_)
        for when in (WINTER_EVENING, SUMMER_NOON, MIDNIGHT_IN_BERLIN, TWICE_IN_DENVER)
        for format_ in DATE_FORMATS
    ]
    # A time format for a date is an error in Django's templates too.
    + [(date(2026, 2, 9), format_) for format_ in DATE_FORMATS if not {"g", "A", "T", "P"} & set(format_)],
)
def test_jinja_dates_are_djangos_in_the_members_time_zone(zone, when, format_):
    with timezone.override(ZoneInfo(zone)):
        expected = _django("{{ when|date:format_ }}", when=when, format_=format_)
        assert _jinja("{{ when|date(format_) }}", when=when, format_=format_) == expected
        # Formatted once per process (community/jinja.py): shown again, or as the same
        # moment in another zone's terms, it is the same text.
        assert _jinja("{{ when|date(format_) }}", when=when, format_=format_) == expected
        if isinstance(when, datetime):
            in_tokyo = when.astimezone(ZoneInfo("Asia/Tokyo"))
            assert _django("{{ when|date:format_ }}", when=in_tokyo, format_=format_) == expected
            assert _jinja("{{ when|date(format_) }}", when=in_tokyo, format_=format_) == expected
    assert expected or not format_  # a real date, not an empty string on both sides


def test_jinja_dates_of_the_hour_lived_twice_are_two_moments():
    """Python holds the two 1:30 AMs of the night New York's clocks go back as equal: the
    kept text of one must not be given for the other."""
    new_york = ZoneInfo("America/New_York")
    first, second = (datetime(2026, 11, 1, 1, 30, tzinfo=new_york, fold=fold) for fold in (0, 1))
    with timezone.override(ZoneInfo("UTC")):
        shown = [_jinja("{{ when|date('M j, g:i A T') }}", when=when) for when in (first, second)]
        assert shown == [_django("{{ when|date:'M j, g:i A T' }}", when=when) for when in (first, second)]
    assert shown == ["Nov 1, 5:30 AM UTC", "Nov 1, 6:30 AM UTC"]


def test_jinja_escapes_members_words_and_prints_nothing_for_a_missing_value():
    title = '<script>alert("x")</script> & “quotes”'
    html = _jinja("<h3>{{ post.title }}</h3>{{ post.missing.deeper }}|{{ nobody.name }}", post={"title": title})
    assert "<script>" not in html
    assert unescape(html) == f"<h3>{title}</h3>|"


def test_jinja_tag_renders_rows_with_the_pages_context_and_one_csrf_token(rf):
    request = rf.get("/")
    page = engines["django"].from_string(
        '{% load community_tags %}{% csrf_token %}{% jinja "groups/posts/_reactions.html" item=item %}'
    )
    item = {"status": "published", "reaction_rows": [("hug", "Hug", 2, True), ("same", "Same here", 0, False)]}
    html = page.render({"item": item, "react_url": "/react/", "cannot_post": ""}, request)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]
    assert 'action="/react/"' in html
    assert 'class="reaction reaction-mine" aria-pressed="true">Hug <span class="reaction-count">2</span>' in html
    assert 'aria-pressed="false">Same here</button>' in html


def test_forms_render_through_jinja_with_our_field_group():
    html = str(DirectoryFilterForm(data={"q": "<b>sleep</b>"})["q"].as_field_group())
    assert html.startswith('<div class="field">')
    assert 'value="&lt;b&gt;sleep&lt;/b&gt;"' in html


@pytest.mark.parametrize("name", ["community:home", "community:crisis", "groups:group-list", "account_logout"])
def test_url_without_arguments_is_reverse(name):
    assert url(name) == url(name) == reverse(name)


def test_url_with_arguments_is_reverse():
    assert url("groups:group-detail", group_slug="sleep") == reverse("groups:group-detail", args=["sleep"])
    assert url("groups:check-in-create", "sleep") == reverse("groups:check-in-create", args=["sleep"])


def test_jinja_date_of_a_missing_value_prints_nothing_as_django_does():
    assert _jinja("[{{ nothing|date('M j, Y') }}][{{ post.missing|date('c') }}]", post={}) == "[][]"
    assert _django("[{{ nothing|date:'M j, Y' }}]") == "[]"


def test_a_page_variable_cannot_hide_the_templates_own_functions(rf):
    page = engines["django"].from_string('{% load community_tags %}{% jinja "_footer.html" %}')
    html = page.render({"url": "https://example.org/", "static": "nothing"}, rf.get("/"))
    assert f'href="{reverse("community:crisis")}"' in html
