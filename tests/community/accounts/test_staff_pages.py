"""Every staff-only page carries ``@staff_required`` (community/accounts/roles.py), found
by walking the URL configuration, so a new staff page cannot forget it or its two-factor
rule. The behaviour itself (403 for members, 2FA for staff) is in
tests/community/accounts/test_security_auth.py and the role matrices of tests/test_security_urls.py and
tests/groups/access/test_groups_access.py."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.groups.access.test_groups_access import (
    GET_MATRIX,
    MODERATION_GET_MATRIX,
    POST_MATRIX,
    ROLES,
    url_for,
    world,  # noqa: F401  (the fixture, reused)
)
from tests.test_security_urls import (
    COMMUNITY_GET,
    STAFF_ONLY,
    STAFF_POST_ONLY,
    site,  # noqa: F401  (the fixture, reused)
)

# The pages where a stolen staff password would do the most harm: every member's reports
# and suspensions, the whole moderation log, group proposals, resource suggestions, the
# care directory's import and export. Pinned here so that a change is a decision.
TWO_FACTOR_PAGES = {
    "moderation:account",
    "moderation:account-suspend",
    "moderation:log-export",
    "groups:proposal-list",
    "groups:proposal-decide",
    "community:suggestion-list",
    "community:suggestion-decide",
    "community:care-import",
    "community:care-export",
}


def views_by_name() -> dict:
    """view name -> view callable, for every named URL outside the admin site."""

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if ns != "admin":
                    yield from walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback

    return dict(walk(get_resolver(), ""))


def staff_only_names() -> set[str]:
    """Every URL the role matrices say is for staff alone: members get a 403, staff the
    page (or a POST-only staff action)."""
    # By identity: STAFF_POST_ONLY has the same statuses as POST_ONLY.
    names = {name for name, row in COMMUNITY_GET.items() if row is STAFF_ONLY or row is STAFF_POST_ONLY}
    for namespace, matrix in (("groups", GET_MATRIX), ("moderation", MODERATION_GET_MATRIX)):
        for name, row in matrix.items():
            if row[ROLES.index("owner")] == 403 and row[ROLES.index("staff")] != 403:
                names.add(f"{namespace}:{name}")
    return names


def test_every_staff_only_page_in_the_matrices_carries_the_decorator():
    views = views_by_name()
    expected = staff_only_names()
    assert expected, "the matrices name staff-only pages"
    marked = {name for name, view in views.items() if getattr(view, "staff_only", False)}
    assert expected <= marked, f"staff-only pages without @staff_required: {sorted(expected - marked)}"


def test_two_factor_is_asked_on_exactly_the_pinned_pages():
    views = views_by_name()
    asked = {name for name, view in views.items() if getattr(view, "staff_two_factor", False)}
    assert asked == TWO_FACTOR_PAGES


@pytest.mark.django_db
def test_every_url_refusing_a_group_owner_is_a_decorated_staff_page(world, site):  # noqa: F811
    """The other way round, from behaviour: any page that tells an owner and moderator of
    groups "no" (403) by GET or by POST is a staff page, and carries the decorator; and
    every decorated page refuses them."""
    owner = Client()
    owner.force_login(world["people"]["owner"])
    group_posts = {f"groups:{name}": data for name, (data, _row) in POST_MATRIX.items()}
    refused = set()
    for name in sorted(views_by_name()):
        if name.startswith("bench-"):
            continue
        namespace, _, short = name.rpartition(":")
        if namespace in ("groups", "moderation"):
            url = url_for(namespace, short, world)
        elif name in site["kwargs"] or name in COMMUNITY_GET:
            url = reverse(name, kwargs=site["kwargs"].get(name, {}))
        else:
            continue  # allauth's and the journal's pages: no staff page among them
        statuses = {owner.get(url).status_code, owner.post(url, group_posts.get(name, {})).status_code}
        if 403 in statuses:
            refused.add(name)
    marked = {name for name, view in views_by_name().items() if getattr(view, "staff_only", False)}
    # An owner refused (403) only by staff pages; every staff page refuses them.
    assert refused == marked


def test_every_admin_page_asks_staff_for_two_factor():
    """The admin site wraps each view in ``admin_view`` when it is called; the project's
    wrapper (community/urls.py) adds the two-factor rule to all of them."""
    view = admin_site.admin_view(lambda request: None)
    assert getattr(view, "staff_two_factor", False)


@pytest.mark.django_db
def test_admin_pages_send_staff_without_2fa_to_turn_it_on(settings, client, staff):
    settings.STAFF_PAGES_REQUIRE_2FA = True
    client.force_login(staff)
    for name in ("admin:index", "admin:community_user_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url == reverse("mfa_index"), name


@pytest.mark.django_db
def test_members_are_refused_before_any_two_factor_question(settings, member_client):
    settings.STAFF_PAGES_REQUIRE_2FA = True
    assert member_client.get(reverse("community:care-export")).status_code == 403
    assert member_client.get(reverse("community:article-create")).status_code == 403


@pytest.mark.django_db
def test_staff_pages_without_two_factor_do_not_ask_for_it(settings, client, staff):
    settings.STAFF_PAGES_REQUIRE_2FA = True
    client.force_login(staff)
    assert client.get(reverse("community:care-report-list")).status_code == 200
    assert client.get(reverse("community:article-create")).status_code == 200
