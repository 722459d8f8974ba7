"""Reads for the care directory: the search by treatment and distance, the staff
report queue, and the CSV export.

Distance search is two steps, so that 10,000 entries stay fast on SQLite and
PostgreSQL alike without a geographic extension: an indexed bounding-box range on
latitude and longitude picks candidates in SQL (ids and coordinates only), then the
exact great-circle distance is computed in Python, sorted, and only one page of full
rows is fetched. Two queries, however many entries there are.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Q

from community.care.forms import CSV_COLUMNS
from community.care.geo import Place, bounding_box, haversine_miles
from community.core.text import csv_safe
from community.models import CareEntry, CareReport

RESULTS_PER_PAGE = 20


def listed_entries(*, treatment: str = "", telehealth: bool = False, accepting: bool = False):
    entries = CareEntry.objects.filter(is_listed=True)
    if treatment:
        entries = entries.filter(treatments__includes=treatment)
    if telehealth:
        entries = entries.filter(telehealth=True)
    if accepting:
        entries = entries.filter(accepting_new_patients=True)
    return entries


def nearest(entries, origin: Place, radius_miles: float) -> list[tuple[float, int]]:
    """(distance in miles, id) of every entry within the radius, nearest first. One query."""
    (south, north), longitude_ranges = bounding_box(origin.latitude, origin.longitude, radius_miles)
    within_longitudes = Q()
    for west, east in longitude_ranges:
        within_longitudes |= Q(longitude__gte=west, longitude__lte=east)
    candidates = entries.filter(within_longitudes, latitude__gte=south, latitude__lte=north).values_list(
        "pk", "latitude", "longitude"
    )
    found = []
    for pk, latitude, longitude in candidates:
        distance = haversine_miles(origin.latitude, origin.longitude, latitude, longitude)
        if distance <= radius_miles:
            found.append((distance, pk))
    found.sort()
    return found


def search_directory(
    *,
    origin: Place | None,
    radius: int,
    treatment: str = "",
    telehealth: bool = False,
    accepting: bool = False,
    page_number=1,
) -> Page:
    """One page of entries, each with ``distance`` (miles, or None without an origin).
    Without an origin they are listed by name."""
    entries = listed_entries(treatment=treatment, telehealth=telehealth, accepting=accepting)
    if origin is None:
        page = Paginator(entries.order_by("name", "pk"), RESULTS_PER_PAGE).get_page(page_number)
        for entry in page.object_list:
            entry.distance = None
        return page
    page = Paginator(nearest(entries, origin, radius), RESULTS_PER_PAGE).get_page(page_number)
    rows = CareEntry.objects.in_bulk([pk for _distance, pk in page.object_list])
    shown = []
    for distance, pk in page.object_list:
        entry = rows[pk]
        entry.distance = distance
        shown.append(entry)
    page.object_list = shown
    return page


def open_reports():
    return CareReport.objects.filter(status=CareReport.Status.OPEN).select_related("entry", "reporter")


# --- CSV export -------------------------------------------------------------------------------


def _cell(value) -> str | float:
    """Numbers stay numbers: a spreadsheet never runs a number, so a longitude such as
    -111.89 is written and read back as it is (csv_safe guards every text cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return str(value)


def export_row(entry: CareEntry) -> list:
    values = {
        **{name: getattr(entry, name) for name in CSV_COLUMNS},
        "treatments": ";".join(sorted(entry.treatments or ())),
        "last_verified": entry.last_verified.isoformat(),
    }
    return csv_safe([_cell(values[name]) for name in CSV_COLUMNS])


def export_rows():
    """The header, then every entry (listed or not), streamed in chunks."""
    yield CSV_COLUMNS
    for entry in CareEntry.objects.order_by("name", "pk").iterator(chunk_size=1000):
        yield export_row(entry)
