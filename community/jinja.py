"""Jinja2 for the long lists of the busiest pages, the header and footer, and forms.

Django's template engine spent most of a member page's CPU walking its nodes once per
row; Jinja2 compiles a template to Python and renders the same rows several times faster
(docs/performance.md has the figures). Pages and allauth stay on Django templates; a
page hands a list to a Jinja2 template with ``{% jinja "name.html" %}``
(``community_tags``), and the templates live in ``templates/jinja2/``. Forms render
their fields and widgets here too (``FormRenderer``).

What a row template may use is set here, once, with the same meaning as in Django
templates: ``url`` and ``row_url`` (reverse), ``static``, ``meeting_time``, and the filters ``date``
(in the member's time zone, as Django's is), ``pluralize``, ``floatformat``, ``linebreaksbr``
and ``urlencode``.
"""

from datetime import UTC, date, datetime
from functools import lru_cache

from django.forms.renderers import BaseRenderer
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.timezone import get_current_timezone, template_localtime
from jinja2 import ChainableUndefined, Environment, Undefined

from community.core.urls import row_url, url
from groups.meetings.rows import date_row, date_rows
from groups.templatetags.meeting_tags import meeting_time


def local_date(value, arg=None) -> str:
    """Django's ``date`` filter in the member's time zone, as Django's templates give it.

    Django's formatter reads settings and the active time zone for every letter (some
    50 microseconds a date; a thread page shows a hundred). The letters our lists use
    are formatted here from a plan made once per format; anything else (another letter,
    a naive time, a value that is not a date) goes to Django's filter."""
    if isinstance(value, Undefined):
        return ""  # what Django's templates print for a missing value
    plan = _date_plan(arg) if arg else None
    if isinstance(value, datetime) and value.tzinfo is not None and plan is not None:
        # As UTC in the key: two times of the hour the clocks go back are equal to Python.
        moment = value if value.tzinfo is UTC else value.astimezone(UTC)
        shown = _local_date(moment, get_current_timezone(), arg)
        if shown is not None:
            return shown
    if type(value) is date and plan is not None and not _TIME_LETTERS.intersection(arg):
        return _formatted(value, plan)
    return defaultfilters.date(template_localtime(value), arg)


@lru_cache(maxsize=4096)
def _local_date(value: datetime, zone, format_: str) -> str | None:
    """A time in UTC shown in ``zone`` by a format ``_date_plan`` knows, or None for
    Django's filter: a function of the moment, the zone and the format alone, so the same
    rows' times, shown on every visit, are formatted once per process."""
    local = value.astimezone(zone)
    # In the hour the clocks go back Django prints no zone name; it says so itself.
    if "T" not in format_ or local.utcoffset() == local.replace(fold=1 - local.fold).utcoffset():
        return _formatted(local, _date_plan(format_))
    return None


def _formatted(value, plan) -> str:
    return "".join(part if isinstance(part, str) else part(value) for part in plan)


_MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_LETTERS = {
    "c": lambda d: d.isoformat(),
    "Y": lambda d: f"{d.year:04d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "j": lambda d: str(d.day),
    "F": lambda d: _MONTHS[d.month - 1],
    "M": lambda d: _MONTHS[d.month - 1][:3],
    "D": lambda d: _DAYS[d.weekday()],
    "g": lambda d: str(d.hour % 12 or 12),
    "i": lambda d: f"{d.minute:02d}",
    "A": lambda d: "AM" if d.hour < 12 else "PM",
    "T": lambda d: str(d.tzname()),
}
_TIME_LETTERS = {"g", "i", "A", "T", "c"}


@lru_cache(maxsize=64)
def _date_plan(format_: str):
    """The format as literal text and formatters, or None when it uses a letter (or a
    backslash escape) that only Django's formatter knows."""
    plan = []
    for char in format_:
        if char in _LETTERS:
            plan.append(_LETTERS[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            plan.append(char)
    return tuple(plan)


def environment(**options) -> Environment:
    # Jinja2 stops at an attribute of a missing value; Django's templates print nothing.
    # The row templates came from Django's, which counted on that.
    options["undefined"] = ChainableUndefined  # also in DEBUG, where Django would print the name
    options.pop("autoescape", None)  # always on: members' words must never become markup
    env = Environment(autoescape=True, **options)
    env.globals.update(
        url=url, row_url=row_url, static=static, meeting_time=meeting_time, date_row=date_row, date_rows=date_rows
    )
    env.filters.update(
        date=local_date,
        pluralize=defaultfilters.pluralize,
        floatformat=defaultfilters.floatformat,
        linebreaksbr=defaultfilters.linebreaksbr,
        urlencode=defaultfilters.urlencode,
    )
    return env


class FormRenderer(BaseRenderer):
    """Forms and their widgets through Jinja2: Django's own widget templates for it
    (``django/forms/jinja2``) and ours in ``templates/jinja2/`` (the field group, the time
    zone picker). A form is a template per field and per widget: on Django's engine the
    directory's four filters took a quarter of its page. The admin's and allauth's own widgets have
    only Django templates: those are found as Django's TemplatesSetting renderer would."""

    def get_template(self, template_name):
        try:
            return engines["jinja2"].get_template(template_name)
        except TemplateDoesNotExist:
            return get_template(template_name)
