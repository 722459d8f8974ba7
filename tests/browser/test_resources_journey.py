"""Resources, the care directory and site search, as a person would use them."""

import re

import pytest
from playwright.sync_api import expect

from community.demo.resources import seed_care_entries
from community.library.articles import load_articles

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def result_names(page) -> list[str]:
    return page.locator(".care-entry h3").all_inner_texts()


def result_distances(page) -> list[float]:
    return [float(text.split()[0]) for text in page.locator(".care-entry .distance").all_inner_texts()]


def test_visitor_reads_a_treatment_article_and_finds_esketamine_care_near_salt_lake_city(open_session):
    load_articles()
    seed_care_entries()
    visitor = open_session("visitor")
    page = visitor.page

    visitor.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Resources").click()
    page.wait_for_url("**/resources/")
    visitor.check("resources")
    page.get_by_role("link", name="Esketamine (Spravato) and ketamine").click()
    page.wait_for_url("**/resources/esketamine-and-ketamine/")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    assert page.locator(".sources li a").count() >= 3
    expect(
        page.get_by_text(re.compile(r"Last reviewed November 26, 2026 by Steady Ground editorial team"))
    ).to_be_visible()
    expect(page.get_by_text("This is general information, not medical advice.").first).to_be_visible()
    visitor.check("article")

    page.get_by_role("banner").get_by_role("link", name="Find care").click()
    page.wait_for_url("**/care/")
    for place, label in (("Salt Lake City", "care-city"), ("84101", "care-zip")):
        page.get_by_label("ZIP code or city").fill(place)
        page.get_by_label("Treatment", exact=True).select_option("esketamine")
        page.get_by_role("button", name="Search", exact=True).last.click()
        page.wait_for_url("**/care/?*")
        names = result_names(page)
        assert names[:3] == ["Sample Clinic Salt Lake Downtown", "Sample Clinic Sugar House", "Sample Clinic Murray"]
        distances = result_distances(page)
        assert distances == sorted(distances)
        expect(page.get_by_text("A listing is not an endorsement.")).to_be_visible()
        visitor.check(label)

    page.get_by_label("ZIP code or city").fill("Salt Lak Cty")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page.get_by_text("We could not find that place").first).to_be_visible()
    page.get_by_role("link", name="Salt Lake City, UT").click()
    assert result_names(page)
    visitor.check("care-suggestion")


def test_members_search_finds_their_own_groups_post_but_not_another_groups(
    open_session, make_member, make_group, add_member, make_post
):
    mine = make_group("Morning Light", slug="morning-light")
    theirs = make_group("Evening Tide", slug="evening-tide")
    me, them = make_member("Fern"), make_member("Rowan")
    add_member(mine, me)
    add_member(theirs, them)
    make_post(mine, me, title="Lanterns on hard mornings", body="A lantern by the bed helps me get up.")
    make_post(theirs, them, title="Lanterns at night", body="Private lantern thoughts for Evening Tide only.")

    member = open_session("member")
    member.login_as(me)
    member.goto("/")
    page = member.page
    header_box = page.get_by_role("banner").get_by_role("searchbox", name="Search the site")
    header_box.fill("lantern")
    header_box.press("Enter")
    page.wait_for_url("**/search/?q=lantern")
    expect(page.get_by_role("link", name="Lanterns on hard mornings")).to_be_visible()
    expect(page.get_by_text("Post in Morning Light")).to_be_visible()
    assert page.get_by_text("Lanterns at night").count() == 0
    assert page.get_by_text("Private lantern thoughts").count() == 0
    member.check("search")
