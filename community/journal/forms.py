"""Journal forms: they validate and clean; the actions in actions.py write."""

import re
from datetime import date

from django import forms
from django.utils import timezone

from community.journal.models import (
    QUESTIONNAIRE_MAX,
    Feeling,
    JournalReminder,
    Questionnaire,
    Response,
    SelfHarm,
    SideEffect,
    TreatmentKind,
)

NAME_MAX, DOSE_MAX, SHORT_MAX, NOTE_MAX, QUESTION_MAX = 120, 120, 500, 2000, 300
MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")
EARLIEST = date(1950, 1, 1)

# Our own words for each point of the check-in scales (1 to 5).
MOOD_WORDS = ["Very low", "Low", "In between", "Fairly good", "Good"]
SLEEP_WORDS = ["Hardly slept", "Poorly", "On and off", "Mostly well", "Well"]
ENERGY_WORDS = ["None at all", "Very little", "Some", "Enough", "Plenty"]
ANXIETY_WORDS = ["Calm", "A little tense", "Uneasy", "Very anxious", "Overwhelmed"]

# The period a summary covers: days back from today ("" for everything).
PERIOD_CHOICES = [("30", "The last 30 days"), ("90", "The last 3 months"), ("180", "The last 6 months"),
                  ("365", "The last year"), ("", "Everything")]  # fmt: skip


def _today() -> date:
    return timezone.localdate()


def _month_start(day: date) -> date:
    return day.replace(day=1)


class MonthField(forms.CharField):
    """A month, typed as YYYY-MM (browsers with a month picker send that), kept as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "inputmode": "numeric"})
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, for example 2024-03."}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = MONTH_RE.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(year, month, 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _scale_field(label: str, words: list[str]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, f"{n} · {word}") for n, word in enumerate(words, start=1)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the five answers."},
    )


def _answer_field(label: str, choices, *, invalid: str = "Choose one of the answers.") -> forms.ChoiceField:
    """An optional question answered with one radio button."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": invalid},
    )


def _count_field(label: str, *, least: int, most: int, unit: str = "") -> forms.IntegerField:
    """An optional whole number from ``least`` to ``most`` (of ``unit``); each error says so."""
    of = f" of {unit}" if unit else ""
    outside = f"Enter a number{of} from {least} to {most}."
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=least,
        max_value=most,
        error_messages={"min_value": outside, "max_value": outside, "invalid": f"Enter a whole number{of}."},
    )


class TreatmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of treatment",
        choices=[("", "Choose one"), *TreatmentKind.choices],
        error_messages={"required": "Choose the kind of treatment.", "invalid_choice": "Choose a kind from the list."},
    )
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="As you know it: a medicine's name, a therapy, a clinic's programme.",
        error_messages={"required": "Give the treatment a name, in your own words."},
    )
    dose = forms.CharField(
        label="Dose",
        max_length=DOSE_MAX,
        required=False,
        help_text="As you would write it, for example “150 mg in the morning” or “56 mg twice a week”.",
    )
    started_on = MonthField(
        label="Started (month)", error_messages={"required": "Enter the month you started, as YYYY-MM."}
    )
    ended_on = MonthField(label="Stopped (month)", required=False, help_text="Leave empty if you are still on it.")
    weeks_at_full_dose = _count_field("Weeks at the full dose", least=0, most=520, unit="weeks")
    response = _answer_field("How much did it help?", Response.choices)
    how_it_went = forms.CharField(
        label="How it went, in your own words",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    side_effects = forms.MultipleChoiceField(
        label="Side effects",
        choices=SideEffect.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Tick side effects from the list only."},
    )
    side_effects_other = forms.CharField(label="Other side effects", max_length=SHORT_MAX, required=False)
    why_stopped = forms.CharField(
        label="Why it stopped", max_length=SHORT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        started, ended, weeks = data.get("started_on"), data.get("ended_on"), data.get("weeks_at_full_dose")
        this_month = _month_start(_today())
        if started and started < EARLIEST:
            self.add_error("started_on", "Enter a month from 1950 on.")
        if started and started > this_month:
            self.add_error("started_on", "The start month cannot be in the future.")
        if ended and ended > this_month:
            self.add_error("ended_on", "The month it stopped cannot be in the future.")
        if started and ended and ended < started:
            self.add_error("ended_on", "The month it stopped cannot be before the month it started.")
        if started and weeks is not None and not self.errors.get("ended_on"):
            last = ended or this_month
            # Months are counted whole, so allow the rest of the last month.
            most = ((last - started).days + 31) // 7 + 1
            if weeks > most:
                self.add_error("weeks_at_full_dose", f"That is more weeks than the dates allow (at most {most}).")
        if data.get("why_stopped", "").strip() and started and not ended and "ended_on" not in self.errors:
            self.add_error("ended_on", "Add the month it stopped, or leave “Why it stopped” empty.")
        return data


class SessionForm(forms.Form):
    date = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Enter the date of the session.", "invalid": "Enter a date as YYYY-MM-DD."},
    )
    number = _count_field("Session number in this course", least=1, most=500)
    felt_after = _answer_field("How you felt afterwards, compared with before", Feeling.choices)
    side_effects = forms.CharField(label="Side effects", max_length=SHORT_MAX, required=False)
    note = forms.CharField(label="Note", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, treatment, **kwargs):
        super().__init__(*args, **kwargs)
        self.treatment = treatment

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > _today():
            raise forms.ValidationError("The session date cannot be in the future.")
        if day < self.treatment.started_on:
            raise forms.ValidationError(
                f"This treatment started in {self.treatment.started_on:%B %Y}; pick a later date."
            )
        return day


class CheckInForm(forms.Form):
    date = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Enter the date.", "invalid": "Enter a date as YYYY-MM-DD."},
    )
    mood = _scale_field("Mood", MOOD_WORDS)
    sleep = _scale_field("Sleep", SLEEP_WORDS)
    energy = _scale_field("Energy", ENERGY_WORDS)
    anxiety = _scale_field("Anxiety", ANXIETY_WORDS)
    self_harm_thoughts = _answer_field(
        "Since your last check-in, have you had thoughts of harming yourself or ending your life?",
        SelfHarm.choices,
        invalid="Choose yes or no, or leave it unanswered.",
    )
    questionnaire = forms.ChoiceField(
        label="Questionnaire your clinician uses",
        choices=[("", "None this time"), *Questionnaire.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a questionnaire from the list."},
    )
    questionnaire_score = forms.IntegerField(
        label="Its total score",
        required=False,
        min_value=0,
        max_value=100,
        help_text="The number your clinician or the form gave, for example a PHQ-9 total from 0 to 27.",
        error_messages={
            "min_value": "A score cannot be below 0.",
            "max_value": "Enter a score of 100 or less.",
            "invalid": "Enter the score as a whole number.",
        },  # fmt: skip
    )
    note = forms.CharField(label="Note", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > _today():
            raise forms.ValidationError("The date cannot be in the future.")
        if day < EARLIEST:
            raise forms.ValidationError("Enter a date from 1950 on.")
        return day

    def clean(self):
        data = super().clean()
        kind, score = data.get("questionnaire"), data.get("questionnaire_score")
        if kind and score is None and "questionnaire_score" not in self.errors:
            self.add_error("questionnaire_score", "Enter the score, or choose “None this time”.")
        if score is not None and not kind:
            self.add_error("questionnaire", "Choose which questionnaire the score is from.")
        if kind and score is not None and score > QUESTIONNAIRE_MAX[kind]:
            label = Questionnaire(kind).label
            self.add_error("questionnaire_score", f"A {label} total is from 0 to {QUESTIONNAIRE_MAX[kind]}.")
        answered = [
            data.get(name) for name in ("mood", "sleep", "energy", "anxiety", "self_harm_thoughts", "questionnaire")
        ]
        if not self.errors and not any(a not in (None, "") for a in answered) and not data.get("note", "").strip():
            raise forms.ValidationError("Answer at least one question, or write a note.")
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="A question for your next appointment",
        max_length=QUESTION_MAX,
        error_messages={"required": "Write the question first."},
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write the question first.")
        return text


class ReminderForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Email me a reminder to check in",
        choices=JournalReminder.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often.", "invalid_choice": "Choose one of the options."},
    )


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, required=False)

    def days(self) -> int | None:
        value = self.cleaned_data.get("period") if self.is_valid() else "90"
        return int(value) if value else None


class ShareLinkForm(forms.Form):
    period = forms.ChoiceField(
        label="What the summary covers",
        choices=PERIOD_CHOICES,
        required=False,
        initial="90",
        error_messages={"invalid_choice": "Choose a period from the list."},
    )
    days_valid = forms.IntegerField(
        label="The link works for this many days",
        initial=7,
        min_value=1,
        max_value=30,
        error_messages={
            "required": "Enter how many days the link works.",
            "min_value": "Enter 1 to 30 days.",
            "max_value": "Enter 1 to 30 days.",
            "invalid": "Enter a whole number of days.",
        },  # fmt: skip
    )
    show_display_name = forms.BooleanField(
        label="Show my display name on the shared summary",
        required=False,
        help_text="Off unless you tick it: the summary then names no one.",
    )

    def clean_period(self):
        value = self.cleaned_data["period"]
        return int(value) if value else None
