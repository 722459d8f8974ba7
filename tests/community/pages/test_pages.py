"""Site pages: each one answers, carries the crisis link and the not-a-crisis-service line."""

import pytest
from django.db import OperationalError
from django.urls import include, path, reverse

from community.models import CrisisLine

PUBLIC_PAGES = [
    "community:home",
    "community:crisis",
    "community:about",
    "community:guidelines",
    "community:terms",
    "community:privacy",
    "account_login",
    "account_signup",
]
CRISIS_HREF = 'href="/help/"'
NOT_A_CRISIS_SERVICE = "not a crisis or medical service"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_crisis_link_landmarks_and_footer(client, name):
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Get help now" in html
    assert CRISIS_HREF in html
    assert NOT_A_CRISIS_SERVICE in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html  # the skip link


@pytest.mark.django_db
def test_crisis_page_shows_default_us_lines(client):
    html = client.get(reverse("community:crisis")).content.decode()
    assert "Call or text 988" in html
    assert "Text HOME to 741741" in html
    assert "Call 911" in html
    assert "findahelpline.com" in html
    assert "not a crisis service" in html


@pytest.mark.django_db
def test_staff_changes_to_crisis_lines_show_without_code(client):
    CrisisLine.objects.filter(how="Call 911").update(is_active=False)
    CrisisLine.objects.create(name="Samaritans (UK)", how="Call 116 123", position=9)
    html = client.get(reverse("community:crisis")).content.decode()
    assert "Call 116 123" in html
    assert "Call 911" not in html


@pytest.mark.django_db
def test_crisis_page_is_never_empty_even_with_every_line_switched_off(client):
    CrisisLine.objects.update(is_active=False)
    html = client.get(reverse("community:crisis")).content.decode()
    assert "Call or text 988" in html


def test_crisis_page_still_shows_numbers_when_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(CrisisLine.objects, "filter", broken)
    response = client.get(reverse("community:crisis"))
    assert response.status_code == 200
    assert "Call or text 988" in response.content.decode()


@pytest.mark.django_db
def test_unknown_url_gets_our_404_with_crisis_link(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert CRISIS_HREF in html


@pytest.mark.django_db
def test_post_without_csrf_token_gets_our_403(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("community:profile-edit"), {"display_name": "Changed"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form could not be sent" in html
    assert CRISIS_HREF in html
    member.refresh_from_db()
    assert member.display_name == "River"


def explode(request):
    raise RuntimeError("boom: secret internals")


urlpatterns = [path("explode/", explode), path("", include("community.urls"))]


@pytest.mark.django_db
def test_exception_gets_our_500_without_a_stack_trace(client, settings):
    settings.ROOT_URLCONF = "tests.community.pages.test_pages"
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Call or text 988" in html or "call or text 988" in html
    assert CRISIS_HREF in html
    assert "secret internals" not in html
    assert "Traceback" not in html


# The 500 handler is looked up on the root URLconf.
handler500 = "community.pages.errors.server_error"


@pytest.mark.django_db
def test_healthz_answers_200_when_database_answers(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_answers_503_when_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_request_log_line_names_the_route_and_no_personal_data(member_client, member, caplog):
    from community.core.logging import LogfmtFormatter

    caplog.set_level("INFO")
    member_client.get(reverse("community:profile-edit") + "?q=private-search-term")
    out = "\n".join(LogfmtFormatter().format(record) for record in caplog.records)
    line = next(line for line in out.splitlines() if "logger=community.request" in line)
    assert "route=community:profile-edit" in line
    assert "status=200" in line
    assert member.email not in out
    assert "private-search-term" not in out


@pytest.mark.django_db
def test_guidelines_carry_the_safe_messaging_rules(client):
    """docs/safety.md rules 5 and 6: no method details, no graphic imagery, no glamorising,
    content warnings, confidentiality and no recording."""
    html = client.get(reverse("community:guidelines")).content.decode()
    for rule in [
        "Do not describe methods",
        "do not share images of self-harm",
        "as something admirable",
        "Add a content warning",
        "Do not record meetings",
        "someone may be at risk",
    ]:
        assert rule in html


@pytest.mark.django_db
def test_terms_say_members_are_adults(client):
    assert "You must be 18 or older" in client.get(reverse("community:terms")).content.decode()
