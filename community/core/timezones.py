"""Choosing a time zone: a searchable list (an <input> with a <datalist>) that puts the
member's own region first, and forgiving input ("denver", "New York") for the IANA
names the site stores. Sign-up fills it from the browser when JavaScript runs
(static/js/time-zone.js); without it, the member types or picks their zone.
"""

from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.conf import settings


@cache
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def region_of(zone: str) -> str:
    return zone.split("/", 1)[0] if "/" in zone else ""


def ordered_zones(first_region: str = "") -> list[str]:
    """Every zone, those of ``first_region`` (for example "America") first."""
    names = zone_names()
    return [name for name in names if region_of(name) == first_region] + [
        name for name in names if region_of(name) != first_region
    ]


def _key(text: str) -> str:
    return "_".join(text.strip().replace("_", " ").split()).casefold()


@cache
def _by_key() -> dict[str, str]:
    return {_key(name): name for name in zone_names()}


@cache
def _by_place() -> dict[str, str | None]:
    """The last part of each name ("denver", "new_york") to its zone. Old aliases share
    names with the current ones (America/Buenos_Aires and America/Argentina/Buenos_Aires):
    the longer, current name wins; None when two names of the same depth share it."""
    places: dict[str, list[str]] = {}
    for name in zone_names():
        places.setdefault(_key(name.rsplit("/", 1)[-1]), []).append(name)
    chosen = {}
    for key, names in places.items():
        depth = max(name.count("/") for name in names)
        deepest = [name for name in names if name.count("/") == depth]
        chosen[key] = deepest[0] if len(deepest) == 1 else None
    return chosen


def find_zone(text: str) -> str | None:
    """The IANA zone ``text`` names: exactly, in any case, or by its city alone."""
    key = _key(text or "")
    return _by_key().get(key) or _by_place().get(key)


def place_label(zone: str) -> str:
    """ "America/Argentina/Buenos_Aires" -> "Buenos Aires (America)"."""
    if "/" not in zone:
        return zone
    return f"{zone.rsplit('/', 1)[-1].replace('_', ' ')} ({region_of(zone)})"


class TimeZoneInput(forms.TextInput):
    """A text box with the zones as suggestions: browsers filter them as one types."""

    template_name = "community/widgets/time_zone.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        region = region_of(value or "") or region_of(settings.TIME_ZONE)
        context["widget"]["zones"] = [(zone, place_label(zone)) for zone in ordered_zones(region)]
        return context


class TimeZoneField(forms.CharField):
    default_error_messages = {
        "unknown": "Choose a time zone from the list, for example America/Denver or Europe/London.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text", "Meeting times are shown in this zone. Type a city or region, such as Denver or Europe."
        )
        super().__init__(widget=TimeZoneInput(attrs={"autocomplete": "off", "spellcheck": "false"}), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        zone = find_zone(value)
        if zone is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return zone
