"""The timeline: treatments as bars, check-in moods and questionnaire scores over them,
drawn on the server as SVG numbers (templates/community/journal/_timeline.html draws
them), so it needs no JavaScript. A table beside it says the same for screen readers."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from community.journal.models import QUESTIONNAIRE_MAX

WIDTH = 720
LEFT, RIGHT = 44, 12
PLOT_TOP, PLOT_HEIGHT = 24, 110  # the mood band, 1 at the bottom and 5 at the top
LANE_TOP_GAP, LANE_HEIGHT, LANE_GAP = 26, 20, 6
AXIS_HEIGHT = 28
# One calm colour per kind of treatment (all reach 3:1 against the cream background).
KIND_COLOURS = {
    "medication": "#2c6a63",
    "esketamine": "#7a4b8c",
    "ketamine": "#8c5a2b",
    "tms": "#2f5d8a",
    "ect": "#8a3b4f",
    "psychotherapy": "#4f6b2a",
    "other": "#5c554d",
}


@dataclass
class Bar:
    x: float
    y: float
    width: float
    label: str
    title: str
    colour: str
    label_x: float
    label_inside: bool
    label_anchor: str = "start"

    @property
    def text_y(self) -> float:
        return self.y + 14


@dataclass
class Timeline:
    width: int
    height: int
    start: date
    end: date
    bars: list[Bar] = field(default_factory=list)
    mood_points: list[tuple[float, float]] = field(default_factory=list)
    score_points: list[tuple[float, float, str]] = field(default_factory=list)
    ticks: list[tuple[float, str, str]] = field(default_factory=list)
    mood_gridlines: list[tuple[float, float, str]] = field(default_factory=list)
    treatments: list = field(default_factory=list)
    checkins: list = field(default_factory=list)
    plot_bottom: float = 0
    axis_y: float = 0
    lanes_top: float = 0

    @property
    def plot_right(self) -> float:
        return self.width - RIGHT

    @property
    def left(self) -> float:
        return LEFT

    @property
    def mood_polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.mood_points)

    @property
    def is_empty(self) -> bool:
        return not self.bars and not self.mood_points and not self.score_points


def _ticks(start: date, end: date, x_of) -> list[tuple[float, str, str]]:
    """Month (or year) labels along the bottom: at most seven, on round months."""
    months = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        if date(year, month, 1) >= start:
            months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60, 120) if len(months) / s <= 7)
    shown = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
    ticks = []
    for month in shown:
        x = x_of(month)
        # Labels near an edge are anchored inside the picture so that none is cut off.
        anchor = "end" if x > WIDTH - RIGHT - 30 else "start" if x < LEFT + 30 else "middle"
        ticks.append((x, f"{month:%b %Y}" if step < 12 else f"{month.year}", anchor))
    return ticks


def build_timeline(treatments, checkins, *, today: date, since: date | None = None) -> Timeline:
    """The picture from ``since`` (or the first thing recorded) to today. Treatments that
    ended before ``since`` are left out; one that began earlier starts at the left edge."""
    if since is not None:
        treatments = [t for t in treatments if (t.ended_on or today) >= since.replace(day=1)]
        checkins = [c for c in checkins if c.date >= since]
    starts = [t.started_on for t in treatments] + [c.date for c in checkins]
    start = since or (min(starts) if starts else today - timedelta(days=30))
    end = today
    if (end - start).days < 28:
        start = end - timedelta(days=28)
    span = (end - start).days or 1
    plot_width = WIDTH - LEFT - RIGHT

    def x_of(day: date) -> float:
        return LEFT + plot_width * min(max((day - start).days, 0), span) / span

    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    lanes_top = plot_bottom + LANE_TOP_GAP
    height = lanes_top + len(treatments) * (LANE_HEIGHT + LANE_GAP) + AXIS_HEIGHT
    timeline = Timeline(width=WIDTH, height=height, start=start, end=end, plot_bottom=plot_bottom)
    timeline.axis_y = height - AXIS_HEIGHT + 4
    timeline.lanes_top = lanes_top

    def y_of_mood(value: float) -> float:
        return plot_bottom - (value - 1) / 4 * PLOT_HEIGHT

    timeline.mood_gridlines = [(y_of_mood(v), y_of_mood(v) + 4, str(v)) for v in range(1, 6)]
    for index, treatment in enumerate(treatments):
        x1 = x_of(treatment.started_on)
        x2 = max(x_of(treatment.ended_on or end), x1 + 4)
        label = treatment.name if len(treatment.name) <= 28 else treatment.name[:27] + "…"
        text_width = len(label) * 6.6
        inside = (x2 - x1) > text_width + 8
        until = f"{treatment.ended_on:%b %Y}" if treatment.ended_on else "ongoing"
        # A label that does not fit inside goes after the bar, or before it near the right edge.
        if inside:
            label_x, anchor = x1 + 5, "start"
        elif x2 + 4 + text_width <= WIDTH - RIGHT:
            label_x, anchor = x2 + 4, "start"
        else:
            label_x, anchor = max(x1 - 4, LEFT + text_width), "end"
        timeline.bars.append(
            Bar(
                x=x1,
                y=lanes_top + index * (LANE_HEIGHT + LANE_GAP),
                width=x2 - x1,
                label=label,
                title=f"{treatment.name}: {treatment.started_on:%b %Y} to {until}",
                colour=KIND_COLOURS.get(treatment.kind, KIND_COLOURS["other"]),
                label_x=label_x,
                label_inside=inside,
                label_anchor=anchor,
            )
        )
    timeline.mood_points = [(x_of(c.date), y_of_mood(c.mood)) for c in checkins if c.mood is not None]
    for c in checkins:
        if c.questionnaire and c.questionnaire_score is not None:
            top = QUESTIONNAIRE_MAX.get(c.questionnaire, 100)
            share = min(c.questionnaire_score / top, 1)
            timeline.score_points.append((x_of(c.date), plot_bottom - share * PLOT_HEIGHT, f"{c.questionnaire_score}"))
    timeline.ticks = _ticks(start, end, x_of)
    timeline.treatments = treatments
    timeline.checkins = checkins
    return timeline
