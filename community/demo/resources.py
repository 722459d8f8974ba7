"""Clearly fictional care-directory entries for `manage.py seed_demo`, and the starting
articles. Idempotent: an entry whose name already exists is left as it is.

Every name starts with "Sample" and every phone number is a 555-01xx number reserved
for fiction, so no real provider is ever listed by the demo (the area code does not matter).
"""

from datetime import timedelta

from django.utils import timezone

from community.library.articles import load_articles
from community.models import CareEntry

DEMO_SOURCE = "Demo data: a fictional listing for trying out the site"

# (name, kind, treatments, city, region, ZIP, latitude, longitude, telehealth, accepting, days since verified)
DEMO_ENTRIES = [
    (
        "Sample Clinic Salt Lake Downtown",
        "clinic",
        {"esketamine", "psychiatry", "tms"},
        "Salt Lake City",
        "UT",
        "84101",
        40.7590,
        -111.8930,
        True,
        True,
        12,
    ),
    (
        "Sample Clinic Sugar House",
        "clinic",
        {"esketamine", "ketamine"},
        "Salt Lake City",
        "UT",
        "84106",
        40.7066,
        -111.8556,
        False,
        True,
        40,
    ),
    (
        "Sample Clinic Murray",
        "clinic",
        {"esketamine", "psychotherapy"},
        "Murray",
        "UT",
        "84107",
        40.6581,
        -111.8880,
        False,
        None,
        75,
    ),
    (
        "Sample Hospital Program Ogden",
        "hospital_program",
        {"ect", "esketamine", "psychiatry"},
        "Ogden",
        "UT",
        "84401",
        41.2230,
        -111.9738,
        False,
        True,
        20,
    ),
    (
        "Sample Clinic Provo",
        "clinic",
        {"esketamine", "tms"},
        "Provo",
        "UT",
        "84601",
        40.2338,
        -111.6585,
        True,
        False,
        33,
    ),
    (
        "Sample Practitioner Dr. Example (psychiatry)",
        "practitioner",
        {"psychiatry", "psychotherapy"},
        "Salt Lake City",
        "UT",
        "84102",
        40.7608,
        -111.8650,
        True,
        True,
        5,
    ),
    (
        "Sample Peer Circle Wasatch",
        "peer_organisation",
        {"peer_support"},
        "Salt Lake City",
        "UT",
        "84111",
        40.7560,
        -111.8830,
        True,
        True,
        9,
    ),
    (
        "Sample Clinic Denver",
        "clinic",
        {"esketamine", "tms", "psychiatry"},
        "Denver",
        "CO",
        "80202",
        39.7525,
        -104.9995,
        True,
        True,
        14,
    ),
    (
        "Sample Hospital Program Denver",
        "hospital_program",
        {"ect", "psychiatry"},
        "Denver",
        "CO",
        "80218",
        39.7330,
        -104.9710,
        False,
        True,
        60,
    ),
    (
        "Sample Clinic Chicago Loop",
        "clinic",
        {"esketamine", "ketamine", "tms"},
        "Chicago",
        "IL",
        "60603",
        41.8800,
        -87.6270,
        True,
        True,
        21,
    ),
    (
        "Sample Peer Network Chicago",
        "peer_organisation",
        {"peer_support"},
        "Chicago",
        "IL",
        "60607",
        41.8720,
        -87.6510,
        True,
        True,
        30,
    ),
    (
        "Sample Clinic Boston",
        "clinic",
        {"tms", "psychotherapy", "psychiatry"},
        "Boston",
        "MA",
        "02114",
        42.3610,
        -71.0670,
        True,
        None,
        45,
    ),
    (
        "Sample Hospital Program Boston",
        "hospital_program",
        {"ect", "esketamine"},
        "Boston",
        "MA",
        "02115",
        42.3400,
        -71.0890,
        False,
        True,
        90,
    ),
    (
        "Sample Clinic Seattle",
        "clinic",
        {"esketamine", "tms"},
        "Seattle",
        "WA",
        "98104",
        47.6030,
        -122.3300,
        True,
        True,
        18,
    ),
    (
        "Sample Practitioner Seattle Therapy",
        "practitioner",
        {"psychotherapy"},
        "Seattle",
        "WA",
        "98122",
        47.6110,
        -122.3050,
        True,
        True,
        7,
    ),
    (
        "Sample Clinic Austin",
        "clinic",
        {"ketamine", "tms", "psychiatry"},
        "Austin",
        "TX",
        "78701",
        30.2700,
        -97.7420,
        True,
        False,
        26,
    ),
    (
        "Sample Clinic Atlanta",
        "clinic",
        {"esketamine", "psychiatry"},
        "Atlanta",
        "GA",
        "30303",
        33.7530,
        -84.3900,
        False,
        True,
        50,
    ),
]


def seed_care_entries() -> int:
    """Create the demo entries that do not exist yet; returns how many were created."""
    today = timezone.localdate()
    existing = set(CareEntry.objects.filter(name__startswith="Sample ").values_list("name", flat=True))
    new = []
    for index, row in enumerate(DEMO_ENTRIES):
        name, kind, treatments, city, region, zip_code, lat, lon, telehealth, accepting, days = row
        if name in existing:
            continue
        new.append(
            CareEntry(
                name=name,
                kind=kind,
                treatments=treatments,
                address=f"{100 + index * 10} Example Street",
                city=city,
                region=region,
                postal_code=zip_code,
                latitude=lat,
                longitude=lon,
                phone=f"(801) 555-01{index:02d}",
                website="",
                telehealth=telehealth,
                accepting_new_patients=accepting,
                notes="A fictional listing for the demo. Insurance: ask the (imaginary) front desk.",
                source=DEMO_SOURCE,
                last_verified=today - timedelta(days=days),
            )
        )
    CareEntry.objects.bulk_create(new)
    return len(new)


def seed_resources() -> tuple[int, int]:
    """The starting articles (usually already there from the migration) and the demo entries."""
    return load_articles(), seed_care_entries()
