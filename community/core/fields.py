"""Form fields shared by both apps."""

from datetime import date

from django import forms
from django.utils import timezone

# Nothing on the site happened before this day (the log, meetings, exports).
EARLIEST_DATE = date(2000, 1, 1)


class SaneDateField(forms.DateField):
    """A date within the range people mean: from EARLIEST_DATE to ``years_ahead`` years
    after today. Dates at the edge of the calendar (0001-01-01, 9999-12-31) are valid
    ``date`` objects, but adding a day or a time zone to them overflows; they get a
    form message instead."""

    def __init__(self, *, years_ahead: int = 5, **kwargs):
        self.years_ahead = years_ahead
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def latest(self) -> date:
        today = timezone.localdate()
        return today.replace(year=today.year + self.years_ahead, day=min(today.day, 28))

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= self.latest():
            raise forms.ValidationError(
                f"Choose a date between {EARLIEST_DATE:%B %-d, %Y} and {self.latest():%B %-d, %Y}.", code="out_of_range"
            )
