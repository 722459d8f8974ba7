from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from community.core.fields import SaneDateField
from groups.meetings import schedule
from groups.meetings.models import MAX_DURATION_MINUTES, TIME_ZONE_CHOICES
from groups.models import Meeting

# The form fields that are stored on the meeting as they are (the rule is built apart).
MEETING_FIELDS = (
    "title", "description", "kind", "video_url", "link_opens_minutes_before", "place_name", "address",
    "access_notes", "time_zone", "starts_on", "start_time", "duration_minutes", "capacity",
)  # fmt: skip


class MeetingForm(forms.Form):
    """What a moderator fills in; ``meeting_fields()`` turns it into the model's fields
    (the RRULE is built by groups.meetings.schedule)."""

    title = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works. Do not put the video link here; it has its own field.",
    )
    kind = forms.ChoiceField(
        label="Where", choices=Meeting.Kind.choices, widget=forms.RadioSelect, initial=Meeting.Kind.ONLINE
    )
    video_url = forms.URLField(
        label="Video link (https)",
        required=False,
        assume_scheme="https",
        help_text="Shown only to members who RSVP'd, never on public pages or in search.",
    )
    link_opens_minutes_before = forms.IntegerField(
        label="Show the link this many minutes before the start",
        required=False,
        min_value=0,
        max_value=1440,
        help_text="Leave empty to show it as soon as someone RSVPs.",
    )
    place_name = forms.CharField(label="Place", required=False, max_length=120)
    address = forms.CharField(required=False, max_length=250)
    access_notes = forms.CharField(label="Access notes", required=False, max_length=500)
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="The organiser's time zone. Members see times in their own."
    )
    starts_on = SaneDateField(label="First date")
    start_time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=1, max_value=MAX_DURATION_MINUTES, initial=90
    )
    frequency = forms.ChoiceField(label="Repeats", choices=schedule.FREQUENCIES.items(), initial="weekly")
    ends_on = SaneDateField(label="Last date (optional)", required=False)
    count = forms.IntegerField(label="Or: number of meetings (optional)", required=False, min_value=1, max_value=520)
    capacity = forms.IntegerField(
        label="Places (optional)",
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="When full, others join a first-come waitlist.",
    )

    def clean_time_zone(self):
        zone = self.cleaned_data["time_zone"]
        if zone not in available_timezones():
            raise forms.ValidationError("Choose a time zone from the list.")
        return zone

    def clean_video_url(self):
        url = self.cleaned_data["video_url"]
        if url and not url.startswith("https://"):
            raise forms.ValidationError("The link must start with https:// so that it is private in transit.")
        return url

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("count"):
            self.add_error("count", "Choose a last date or a number of meetings, not both.")
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last date is before the first date.")
        kind = data.get("kind")
        if kind in (Meeting.Kind.ONLINE, Meeting.Kind.HYBRID) and not data.get("video_url"):
            self.add_error("video_url", "Online meetings need a video link.")
        if kind in (Meeting.Kind.IN_PERSON, Meeting.Kind.HYBRID) and not data.get("place_name"):
            self.add_error("place_name", "In-person meetings need a place.")
        if not self.errors:
            rule = self._rule(data)
            when = {"starts_on": data["starts_on"], "start_time": data["start_time"], "zone": data["time_zone"]}
            if schedule.first_occurrence(rule=rule, **when) is None:
                raise forms.ValidationError("This schedule gives no dates. Check the last date or the number.")
            if unclear := schedule.first_clock_problem(rule=rule, **when):
                self.add_error("start_time", schedule.clock_problem_message(*unclear))
        return data

    @staticmethod
    def _rule(data) -> str:
        return schedule.build_rule(
            frequency=data["frequency"],
            starts_on=data["starts_on"],
            start_time=data["start_time"],
            zone=data["time_zone"],
            until=data.get("ends_on"),
            count=data.get("count"),
        )

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in MEETING_FIELDS}
        fields["rrule"] = self._rule(data)
        if data["kind"] == Meeting.Kind.IN_PERSON:
            fields["video_url"] = ""
        return fields

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        initial = {name: getattr(meeting, name) for name in MEETING_FIELDS}
        parts = dict(p.split("=", 1) for p in meeting.rrule.split(";")) if meeting.rrule else {}
        if not parts:
            initial["frequency"] = "once"
        elif parts.get("FREQ") == "MONTHLY":
            initial["frequency"] = "monthly"
        else:
            initial["frequency"] = "biweekly" if parts.get("INTERVAL") == "2" else "weekly"
        if "COUNT" in parts:
            initial["count"] = int(parts["COUNT"])
        if "UNTIL" in parts:
            until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            initial["ends_on"] = until.astimezone(ZoneInfo(meeting.time_zone)).date()
        return initial


class CancelOccurrenceForm(forms.Form):
    note = forms.CharField(label="Note for members (optional)", required=False, max_length=300)


class MoveOccurrenceForm(forms.Form):
    new_date = SaneDateField(label="New date")
    new_time = forms.TimeField(
        label="New start time (in the organiser's time zone)", widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label="Note for members (optional)", required=False, max_length=300)

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self):
        data = super().clean()
        if data.get("new_date") and data.get("new_time"):
            start = datetime.combine(data["new_date"], data["new_time"], tzinfo=ZoneInfo(self.zone))
            if problem := schedule.clock_problem(start):
                self.add_error("new_time", schedule.clock_problem_message(start, problem))
        return data
