"""The care directory: search by treatment and distance from a ZIP code, a city or the
browser's coordinates (offline), reports of outdated listings, and the staff tools."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.care import geo
from community.care.queries import export_row
from community.demo.resources import seed_care_entries
from community.models import CareEntry, CareReport

SALT_LAKE_ESKETAMINE = ["Sample Clinic Salt Lake Downtown", "Sample Clinic Sugar House", "Sample Clinic Murray"]


@pytest.fixture
def entries(db):
    seed_care_entries()
    return {entry.name: entry for entry in CareEntry.objects.all()}


def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def names_in_order(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title">([^<]+)</h3>', html)


def distances_in_order(html: str) -> list[float]:
    return [float(value) for value in re.findall(r'class="distance">([\d.]+) miles away', html)]


# --- looking places up offline -------------------------------------------------------------------


def test_zip_code_and_city_are_found_without_the_network():
    place, _ = geo.find_place("84101")
    assert place.label == "84101 (Salt Lake City, UT)"
    city, _ = geo.find_place("salt lake city, ut")
    assert city.label == "Salt Lake City, UT"
    assert geo.haversine_miles(place.latitude, place.longitude, city.latitude, city.longitude) < 2


def test_city_with_a_state_name_and_a_small_town_are_found():
    assert geo.find_place("Denver Colorado")[0].label == "Denver, CO"
    assert geo.find_place("Moab, UT")[0].label == "Moab, UT"


def test_a_name_several_us_places_share_asks_which_one():
    with pytest.raises(geo.PlaceAmbiguous) as asked:
        geo.find_place("Portland")
    assert "Which one do you mean?" in asked.value.message
    assert asked.value.suggestions[:2] == ["Portland, OR", "Portland, ME"]
    assert geo.find_place("Portland, ME")[0].label == "Portland, ME"


def test_a_much_larger_namesake_is_taken_and_the_others_offered():
    place, others = geo.find_place("Austin")
    assert place.label == "Austin, TX"
    assert "Austin, MN" in [other.label for other in others]


@pytest.mark.parametrize("text", ["Atlantis", "Paris, France"])
def test_places_outside_the_us_are_answered_plainly(text):
    with pytest.raises(geo.PlaceNotFound) as not_found:
        geo.find_place(text)
    assert "The directory covers the United States only" in not_found.value.message


def test_place_data_is_loaded_when_the_app_server_starts(monkeypatch):
    import importlib

    import community.wsgi

    calls = []
    monkeypatch.setattr(geo, "warm_up", lambda: calls.append("warmed"))
    importlib.reload(community.wsgi)
    assert calls == ["warmed"]


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        ("Salt Lak Cty", "could not find that place", "Salt Lake City, UT"),
        ("Dnever, CO", "could not find that place", "Denver, CO"),
        ("00000", "not a US ZIP code we know", None),
        ("8410", "five digits", None),
        ("'; DROP TABLE community_careentry; --", "could not find that place", None),
    ],
)
def test_unknown_places_raise_a_clear_message_with_suggestions(text, message, suggestion):
    with pytest.raises(geo.PlaceNotFound) as raised:
        geo.find_place(text)
    assert message in raised.value.message
    if suggestion:
        assert suggestion in raised.value.suggestions


def test_distance_between_salt_lake_city_and_denver_is_about_371_miles():
    assert 365 < geo.haversine_miles(40.7608, -111.8910, 39.7392, -104.9903) < 375


@pytest.mark.parametrize(("latitude", "longitude"), [(40.76, -111.89), (64.8, -147.7), (-33.9, 151.2), (0.0, 179.9)])
def test_bounding_box_holds_every_point_within_the_radius(latitude, longitude):
    (south, north), ranges = geo.bounding_box(latitude, longitude, 100)
    for bearing in range(0, 360, 15):
        # A point 99 miles away in each direction must fall inside the box.
        d = 99 / geo.EARTH_RADIUS_MILES
        import math

        lat1, lon1, theta = math.radians(latitude), math.radians(longitude), math.radians(bearing)
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(theta))
        lon2 = lon1 + math.atan2(
            math.sin(theta) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
        )
        point_lat, point_lon = math.degrees(lat2), (math.degrees(lon2) + 540) % 360 - 180
        assert south <= point_lat <= north
        assert any(west <= point_lon <= east for west, east in ranges)


# --- the treatments set ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_treatments_are_stored_as_a_set_and_filtered_in_sql(entries):
    entry = entries["Sample Hospital Program Ogden"]
    entry.refresh_from_db()
    assert entry.treatments == frozenset({"ect", "esketamine", "psychiatry"})
    ect = set(CareEntry.objects.filter(treatments__includes="ect").values_list("name", flat=True))
    assert ect == {"Sample Hospital Program Ogden", "Sample Hospital Program Denver", "Sample Hospital Program Boston"}


# --- searching on the page -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("place", ["84101", "Salt Lake City", "salt lake city, UT"])
def test_esketamine_near_salt_lake_city_lists_sample_clinics_nearest_first(client, entries, place):
    response = client.get(reverse("community:care-list"), {"place": place, "treatment": "esketamine", "radius": 25})
    html = response.content.decode()
    assert response.status_code == 200
    assert names_in_order(html) == SALT_LAKE_ESKETAMINE
    distances = distances_in_order(html)
    assert distances == sorted(distances)
    assert distances[0] < 1
    assert "Sample Clinic Denver" not in html


@pytest.mark.django_db
def test_a_wider_radius_finds_more_and_stays_sorted(client, entries):
    html = client.get(reverse("community:care-list"), {"place": "84101", "radius": 60}).content.decode()
    names = names_in_order(html)
    assert "Sample Clinic Provo" in names
    assert "Sample Hospital Program Ogden" in names
    assert distances_in_order(html) == sorted(distances_in_order(html))


@pytest.mark.django_db
def test_telehealth_is_its_own_filter(client, entries):
    html = client.get(reverse("community:care-list"), {"place": "84101", "telehealth": "on"}).content.decode()
    names = names_in_order(html)
    assert names
    assert all(entries[name].telehealth for name in names)
    assert "Sample Clinic Sugar House" not in names


@pytest.mark.django_db
def test_coordinates_from_the_browser_are_searched_as_your_location(client, entries):
    html = client.get(reverse("community:care-list"), {"lat": "40.76", "lon": "-111.89", "radius": 5}).content.decode()
    assert "of your location" in html
    assert names_in_order(html)[0] == "Sample Clinic Salt Lake Downtown"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"place": "Nowhereville Qzx"}, "We could not find that place"),
        ({"place": "Salt Lak Cty"}, "Salt Lake City, UT"),
        ({"place": "99999"}, "is not a US ZIP code we know"),
        ({"place": "84101", "radius": "0"}, "Choose a distance between 1 and 500 miles."),
        ({"place": "84101", "radius": "9999"}, "Choose a distance between 1 and 500 miles."),
        ({"place": "84101", "radius": "far"}, "Choose a distance between 1 and 500 miles."),
        ({"place": "84101", "treatment": "magic"}, "Choose a treatment from the list."),
        ({"lat": "123", "lon": "-111"}, "Your browser sent a location we could not use"),
        ({"place": "x" * 1000}, "at most 100 characters"),
        ({"place": "<script>alert(1)</script>"}, "We could not find that place"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(client, entries, params, message):
    response = client.get(reverse("community:care-list"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html.replace("&quot;", '"')
    assert "<script>alert(1)</script>" not in html
    assert not names_in_order(html)


@pytest.mark.django_db
def test_page_says_listings_are_not_endorsements_and_links_the_official_locators(client, entries):
    html = client.get(reverse("community:care-list")).content.decode()
    assert "A listing is not an endorsement" in html
    assert "https://www.spravatorems.com/" in html
    assert "https://findtreatment.gov/" in html
    assert "Last verified" in html
    assert "Demo data" in html
    assert 'src="/static/js/care-location.js"' in html


# --- reports of outdated information ----------------------------------------------------------------------


@pytest.mark.django_db
def test_member_reports_outdated_information_into_the_staff_queue(member_client, staff, entries):
    entry = entries["Sample Clinic Denver"]
    url = reverse("community:care-report", args=[entry.pk])
    response = member_client.post(url, {"problem": "contact", "details": "The phone number is disconnected."})
    assert response.status_code == 302
    assert CareReport.objects.get().entry == entry
    again = member_client.post(url, {"problem": "closed"})
    assert again.status_code == 400
    assert "already reported" in again.content.decode()
    html = staff_client(staff).get(reverse("community:care-report-list")).content.decode()
    assert "Sample Clinic Denver" in html
    assert "The phone number is disconnected." in html


@pytest.mark.django_db
def test_report_without_a_problem_is_refused(member_client, entries):
    url = reverse("community:care-report", args=[entries["Sample Clinic Denver"].pk])
    assert member_client.post(url, {"problem": ""}).status_code == 400
    assert not CareReport.objects.exists()


@pytest.mark.django_db
def test_staff_mark_an_entry_verified_and_resolve_the_report(staff, member, entries):
    entry = entries["Sample Clinic Boston"]
    report = CareReport.objects.create(entry=entry, reporter=member, problem="other")
    editor = staff_client(staff)
    editor.post(reverse("community:care-verify", args=[entry.pk]), {"next": "//evil.example/"})
    entry.refresh_from_db()
    assert entry.last_verified == timezone.localdate()
    editor.post(reverse("community:care-report-resolve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.resolved_by == staff


@pytest.mark.django_db
def test_members_cannot_verify_entries(member_client, entries):
    entry = entries["Sample Clinic Boston"]
    before = entry.last_verified
    assert member_client.post(reverse("community:care-verify", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.last_verified == before


# --- CSV import and export -----------------------------------------------------------------------------------

HEADER = "name,kind,treatments,city,source,region,postal_code,latitude,longitude,telehealth,accepting_new_patients\n"


def upload(client, text: str, *, dry_run: bool = False):
    data = {"file": SimpleUploadedFile("entries.csv", text.encode(), content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("community:care-import"), data)


@pytest.mark.django_db
def test_import_adds_good_rows_and_reports_each_bad_row_with_its_reason(staff):
    text = HEADER + (
        "Sample Import Clinic,clinic,esketamine;tms,Salt Lake City,Staff call,UT,84101,40.76,-111.89,yes,yes\n"
        "Sample Located By Zip,practitioner,psychotherapy,Denver,Staff call,CO,80202,,,no,\n"
        "Sample Bad Treatment,clinic,unicorn therapy,Denver,Staff call,CO,80202,,,no,\n"
        "Sample Bad Kind,spa,tms,Denver,Staff call,CO,80202,,,no,\n"
        ",clinic,tms,Denver,Staff call,CO,80202,,,no,\n"
        "Sample Bad Latitude,clinic,tms,Denver,Staff call,CO,80202,123,-104.9,no,\n"
        "Sample Bad Yes,clinic,tms,Denver,Staff call,CO,80202,,,maybe,\n"
        "Sample Too Many,clinic,tms,Denver,Staff call,CO,80202,,,no,,extra,cells\n"
        "Sample Import Clinic,clinic,tms,Salt Lake City,Staff call,UT,84101,40.76,-111.89,no,\n"
    )
    response = upload(staff_client(staff), text)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(CareEntry.objects.values_list("name", flat=True)) == {"Sample Import Clinic", "Sample Located By Zip"}
    located = CareEntry.objects.get(name="Sample Located By Zip")
    assert located.latitude is not None
    assert "80202 (Denver, CO)" in html
    assert "2 rows added" in html
    assert "7 rows left out" in html
    for reason in (
        "Unknown treatment unicorn therapy",
        "kind: Select a valid choice",
        "name: This field is required",
        "latitude",
        "Use yes or no",
        "more cells than the first line has column names",
        "Already listed",
    ):
        assert reason in html, reason


@pytest.mark.django_db
def test_checking_a_file_changes_nothing(staff):
    text = HEADER + "Sample Import Clinic,clinic,tms,Salt Lake City,Staff call,UT,84101,,,no,\n"
    html = upload(staff_client(staff), text, dry_run=True).content.decode()
    assert "nothing was added" in html
    assert "1 row can be added" in html
    assert not CareEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "not UTF-8 text"),
        (b"title,where\nA,B\n", "Missing: name, kind, treatments, city, source"),
        (b"", "The submitted file is empty"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_is_refused_and_nothing_changes(staff, content, message):
    data = {"file": SimpleUploadedFile("entries.csv", content, content_type="text/csv")}
    response = staff_client(staff).post(reverse("community:care-import"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CareEntry.objects.exists()


@pytest.mark.django_db
def test_export_is_safe_from_formula_injection_and_imports_back(staff):
    CareEntry.objects.create(
        name='=HYPERLINK("https://evil.example","Click")',
        kind="clinic",
        treatments={"tms"},
        city="+Salt Lake City",
        region="-UT",
        postal_code="84101",
        latitude=40.7590,
        longitude=-111.8930,
        phone="@SUM(1+1)",
        notes="\tTabbed\rnote",
        source="@source",
        last_verified=datetime.date(2026, 11, 1),
    )
    response = staff_client(staff).get(reverse("community:care-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = rows[0]
    for column in ("name", "city", "region", "phone", "notes", "source"):
        assert row[column].startswith("'"), column
    assert row["longitude"] == "-111.893"  # a number stays a number

    CareEntry.objects.all().delete()
    header = ",".join(rows[0].keys()) + "\n"
    body = io.StringIO()
    csv.writer(body).writerow(rows[0].values())
    upload(staff_client(staff), header + body.getvalue())
    entry = CareEntry.objects.get()
    assert entry.name == '=HYPERLINK("https://evil.example","Click")'
    assert entry.phone == "@SUM(1+1)"
    assert entry.longitude == -111.893


def test_export_row_guards_every_text_cell():
    entry = CareEntry(
        name="-1+2",
        kind="clinic",
        treatments={"tms"},
        city="=cmd",
        source="x",
        latitude=1.5,
        longitude=-2.5,
        last_verified=datetime.date(2026, 1, 1),
    )
    row = export_row(entry)
    assert row[0] == "'-1+2"
    assert row[3] == "'=cmd"
    assert -2.5 in row


# --- who may open what -------------------------------------------------------------------------------------

L = "login"
GET_MATRIX = {
    # visitor, member, staff
    "care-list": (200, 200, 200),
    "care-report": (L, 200, 200),
    "care-verify": (L, 405, 405),
    "care-report-list": (L, 403, 200),
    "care-report-resolve": (L, 405, 405),
    "care-import": (L, 403, 200),
    "care-export": (L, 403, 200),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_care_urls_answer_each_role(name, entries, member, staff):
    entry = entries["Sample Clinic Denver"]
    report = CareReport.objects.create(entry=entry, reporter=member, problem="other")
    kwargs = {"care-report": {"entry_id": entry.pk}, "care-verify": {"entry_id": entry.pk}}
    kwargs["care-report-resolve"] = {"report_id": report.pk}
    url = reverse(f"community:{name}", kwargs=kwargs.get(name, {}))
    for role, expected in zip(("visitor", "member", "staff"), GET_MATRIX[name], strict=True):
        client = Client()
        if role != "visitor":
            client.force_login(member if role == "member" else staff)
        response = client.get(url)
        if expected == L:
            assert response.status_code == 302, (name, role)
            assert response.url.startswith(reverse("account_login")), (name, role)
        else:
            assert response.status_code == expected, (name, role, response.status_code)


# --- query counts -----------------------------------------------------------------------------------------


def add_entries_near_salt_lake(count):
    CareEntry.objects.bulk_create(
        CareEntry(
            name=f"Sample Extra {n}",
            kind="clinic",
            treatments={"esketamine"},
            city="Salt Lake City",
            region="UT",
            latitude=40.70 + n / 10_000,
            longitude=-111.90,
            source="Test",
        )
        for n in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 60])
def test_distance_search_runs_a_fixed_number_of_queries(client, entries, extra, django_assert_max_num_queries):
    add_entries_near_salt_lake(extra)
    # Two queries: candidates in the bounding box (ids and coordinates), then the page's rows.
    with django_assert_max_num_queries(2):
        response = client.get(reverse("community:care-list"), {"place": "84101", "treatment": "esketamine"})
    assert response.status_code == 200
    assert len(names_in_order(response.content.decode())) == min(3 + extra, 20)


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 60])
def test_listing_by_name_runs_a_fixed_number_of_queries(client, entries, extra, django_assert_max_num_queries):
    add_entries_near_salt_lake(extra)
    # Two queries: the count for the pages, then one page of entries.
    with django_assert_max_num_queries(2):
        response = client.get(reverse("community:care-list"))
    assert response.status_code == 200


# --- the edges: nothing near, which one, outside the US, links that keep the search --------------------


@pytest.mark.django_db
def test_a_known_place_with_nothing_near_keeps_the_place_and_offers_wider_and_telehealth(client, entries):
    response = client.get(reverse("community:care-list"), {"place": "Portland, ME", "treatment": "tms", "radius": 25})
    html = response.content.decode()
    assert "0 places within 25 miles of Portland, ME" in html
    assert "by name" not in html
    assert "Nothing within 25 miles of Portland, ME" in html
    for miles in (50, 100, 250, 500):
        assert f"?place=Portland%2C+ME&amp;treatment=tms&amp;radius={miles}" in html
    assert "?treatment=tms&amp;telehealth=on" in html
    assert 'value="Portland, ME"' in html


@pytest.mark.django_db
def test_an_ambiguous_place_asks_which_one_with_links_that_keep_the_search(client, entries):
    params = {"place": "Portland", "treatment": "tms", "radius": 100, "telehealth": "on"}
    html = client.get(reverse("community:care-list"), params).content.decode()
    assert "Which one?" in html
    assert "There is more than one Portland in the US" in html
    assert "?place=Portland%2C%20OR&amp;treatment=tms&amp;radius=100&amp;telehealth=on" in html
    assert "?place=Portland%2C%20ME&amp;treatment=tms&amp;radius=100&amp;telehealth=on" in html
    assert not names_in_order(html)


@pytest.mark.django_db
def test_did_you_mean_and_not_the_place_links_keep_radius_and_treatment(client, entries):
    html = client.get(reverse("community:care-list"), {"place": "Salt Lak Cty", "treatment": "tms", "radius": 60})
    assert "?place=Salt%20Lake%20City%2C%20UT&amp;treatment=tms&amp;radius=60" in html.content.decode()
    html = client.get(reverse("community:care-list"), {"place": "Austin", "treatment": "ect", "radius": 40})
    assert "?place=Austin%2C%20MN&amp;treatment=ect&amp;radius=40" in html.content.decode()


@pytest.mark.django_db
def test_the_page_says_it_covers_the_us(client, entries):
    html = client.get(reverse("community:care-list"), {"place": "Atlantis"}).content.decode()
    assert "The directory covers the United States only" in html
    assert "South Africa" in html
    assert not names_in_order(html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "treatments"), [("tms", ["tms"]), ("esketamine-and-ketamine", ["esketamine", "ketamine"])]
)
def test_a_treatment_articles_find_care_link_chooses_the_treatment(client, slug, treatments):
    from community.library.articles import load_articles

    load_articles()  # usually there already, from the migration
    html = client.get(reverse("community:article-detail", args=[slug])).content.decode()
    for code in treatments:
        link = f"{reverse('community:care-list')}?treatment={code}"
        assert f'href="{link}"' in html
        assert f'<option value="{code}" selected>' in client.get(link).content.decode()
