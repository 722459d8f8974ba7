"""Meeting schedules: RFC 5545 rules built and expanded by python-dateutil.

No recurrence arithmetic is written here by hand: the rule is built with dateutil's
``rrule`` and expanded with ``rrulestr``. Expansion uses a start date-time *in the
organiser's zone* (a ZoneInfo), so each occurrence keeps its local wall-clock time across
daylight-saving changes; instants are converted to UTC only when stored. A local start
that the clock skips or shows twice is refused by the forms (``clock_problem``), never
shifted silently.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du

# How far ahead occurrences are kept as rows; a daily job extends the window.
HORIZON = timedelta(days=366)

FREQUENCIES = {
    "once": "Once",
    "weekly": "Every week",
    "biweekly": "Every other week",
    "monthly": "Monthly, on the same weekday (for example the second Tuesday)",
}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAYS = [du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def nth_weekday_of(day: date) -> int:
    """Which weekday of its month ``day`` is: 1 to 4, or -1 when it is the last one (a 5th)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build_rule(
    *,
    frequency: str,
    starts_on: date,
    start_time: time,
    zone: str,
    until: date | None = None,
    count: int | None = None,
    nth: int | None = None,
) -> str:
    """The RRULE (without DTSTART) for a schedule, or "" for a single meeting."""
    if frequency == "once":
        return ""
    dtstart = datetime.combine(starts_on, start_time, tzinfo=ZoneInfo(zone))
    options = {"dtstart": dtstart, "count": count}
    if frequency == "weekly":
        rule = du.rrule(du.WEEKLY, **options)
    elif frequency == "biweekly":
        rule = du.rrule(du.WEEKLY, interval=2, **options)
    elif frequency == "monthly":
        weekday = WEEKDAYS[starts_on.weekday()]
        rule = du.rrule(du.MONTHLY, byweekday=weekday(nth or nth_weekday_of(starts_on)), **options)
    else:
        raise ValueError(f"Unknown frequency {frequency!r}")
    # str(rule) is "DTSTART:...\nRRULE:..."; keep only the rule itself.
    text = next(line for line in str(rule).splitlines() if line.startswith("RRULE:")).removeprefix("RRULE:")
    if until is not None:
        # UNTIL is inclusive: the end of that local day, written in UTC as RFC 5545 requires
        # when DTSTART has a time zone (dateutil's own str() leaves the Z off).
        last = datetime.combine(until, time(23, 59, 59), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        text += f";UNTIL={last:%Y%m%dT%H%M%SZ}"
    return text


def describe_rule(rule: str, *, starts_on: date) -> str:
    """The schedule in words, for pages and emails."""
    if not rule:
        return "Once"
    parts = dict(part.split("=", 1) for part in rule.split(";"))
    weekday = WEEKDAY_NAMES[starts_on.weekday()]
    if parts.get("FREQ") == "MONTHLY":
        nth = int("".join(ch for ch in parts.get("BYDAY", "1") if ch in "-0123456789") or 1)
        text = f"Monthly on the {ORDINALS.get(nth, 'first')} {weekday}"
    elif parts.get("INTERVAL") == "2":
        text = f"Every other {weekday}"
    else:
        text = f"Every {weekday}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    return text


@dataclass(frozen=True)
class Slot:
    """One occurrence the rule gives: its start (UTC) and end (UTC)."""

    start: datetime
    end: datetime


def expand(
    *,
    rule: str,
    starts_on: date,
    start_time: time,
    zone: str,
    duration_minutes: int,
    after: datetime | None = None,
    before: datetime | None = None,
) -> list[Slot]:
    """Occurrences between ``after`` and ``before`` (aware datetimes), as UTC slots."""
    dtstart = datetime.combine(starts_on, start_time, tzinfo=ZoneInfo(zone))
    length = timedelta(minutes=duration_minutes)
    if not rule:
        starts = [dtstart]
    else:
        ruleset = du.rrulestr(f"RRULE:{rule}", dtstart=dtstart, forceset=True)
        low = after or dtstart - timedelta(seconds=1)
        high = before or dtstart + HORIZON
        starts = ruleset.between(low, high, inc=True)
    # A length is absolute time: added to the UTC instant, not to the wall clock (a 90-minute
    # meeting at 01:30 on the night the clocks change still lasts 90 minutes, as the
    # calendar file's DURATION says).
    slots = [Slot(start=s.astimezone(UTC), end=s.astimezone(UTC) + length) for s in starts]
    return [
        slot for slot in slots if (after is None or slot.start >= after) and (before is None or slot.start <= before)
    ]


def first_occurrence(*, rule: str, starts_on: date, start_time: time, zone: str) -> datetime | None:
    """The first start the rule gives, or None when it gives none (an impossible rule)."""
    dtstart = datetime.combine(starts_on, start_time, tzinfo=ZoneInfo(zone))
    if not rule:
        return dtstart.astimezone(UTC)
    first = du.rrulestr(f"RRULE:{rule}", dtstart=dtstart).after(dtstart - timedelta(seconds=1), inc=True)
    return first.astimezone(UTC) if first else None


def clock_problem(local: datetime) -> str:
    """ "skipped" when the organiser's clock never shows ``local`` (the night the clocks go
    forward), "twice" when it shows it twice (the night they go back), else ""."""
    there_and_back = local.astimezone(UTC).astimezone(local.tzinfo)
    if there_and_back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return "skipped"
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return "twice"
    return ""


def first_clock_problem(
    *, rule: str, starts_on: date, start_time: time, zone: str, horizon: timedelta = HORIZON
) -> tuple[datetime, str] | None:
    """The first date of the schedule (within ``horizon``) whose start the organiser's clock
    skips or shows twice, with which of the two; None when every start is clear."""
    dtstart = datetime.combine(starts_on, start_time, tzinfo=ZoneInfo(zone))
    if rule:
        starts = du.rrulestr(f"RRULE:{rule}", dtstart=dtstart).between(
            dtstart - timedelta(seconds=1), dtstart + horizon, inc=True
        )
    else:
        starts = [dtstart]
    for start in starts:
        if problem := clock_problem(start):
            return start, problem
    return None


def clock_problem_message(start: datetime, problem: str) -> str:
    """What the organiser reads on the form."""
    when = f"{start:%-I:%M %p} on {start:%A %B %-d, %Y}"
    if problem == "skipped":
        return (
            f"{when} does not exist in {start.tzinfo}: the clocks go forward that night. "
            "Please choose another start time."
        )
    return (
        f"{when} happens twice in {start.tzinfo}: the clocks go back that night, so members could "
        "not tell which one you mean. Please choose another start time."
    )
