from django import forms

from community.core.fields import SaneDateField
from groups.models import QueueItem, Reason, Report

REASON_HELP = "Members see this reason, so choose the one that fits best."
NOTE_HELP = "Optional. The member sees this note with the reason."
MUTE_CHOICES = [
    ("60", "1 hour"),
    ("1440", "1 day"),
    ("4320", "3 days"),
    ("10080", "1 week"),
    ("43200", "30 days"),
]


def reason_field(required=True):
    return forms.ChoiceField(
        label="Reason", choices=Reason.choices, required=required, help_text=REASON_HELP, widget=forms.Select
    )


def note_field(label="Note to the member"):
    return forms.CharField(
        label=label, required=False, max_length=2000, help_text=NOTE_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong?", choices=Report.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueueDecisionForm(forms.Form):
    """The decision on one queue item; its choices are those that fit the item's kind
    (``groups.moderation.queue.decision_choices``)."""

    decision = forms.ChoiceField(choices=[], widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose a reason"), *Reason.choices],
        required=False,
    )
    note = note_field()

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = list(choices)
        if not any(value in ("reject", "warn") for value, _ in choices):
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("reject", "warn") and not data.get("reason"):
            self.add_error("reason", "Choose the reason the member will see.")
        return data


class QueueFilterForm(forms.Form):
    """``groups``: (id, name) of the groups the queue may be narrowed to."""

    group = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        # Not the default, which repeats what was sent back into the page.
        error_messages={"invalid_choice": "Select a valid choice. That choice is not one of the available choices."},
    )
    kind = forms.ChoiceField(
        choices=[("", "Everything"), *QueueItem.Kind.choices],
        required=False,
        error_messages={"invalid_choice": "Select a valid choice. That choice is not one of the available choices."},
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All my groups"), *groups]


class MemberActionForm(forms.Form):
    ACTIONS = [
        ("warn", "Warn (a private message)"),
        ("mute", "Mute: they can read, not post or react"),
        ("remove", "Remove from the group (they may ask to return)"),
        ("ban", "Ban from the group"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    minutes = forms.TypedChoiceField(label="Mute for", choices=MUTE_CHOICES, coerce=int, required=False, initial="1440")
    reason = reason_field()
    note = note_field()

    def clean(self):
        data = super().clean()
        if data.get("action") == "mute" and not data.get("minutes"):
            self.add_error("minutes", "Choose how long the mute lasts.")
        return data


class ContentModerationForm(forms.Form):
    reason = reason_field()
    note = note_field()


class SlowModeForm(forms.Form):
    minutes = forms.IntegerField(
        label="Minutes between replies per member",
        min_value=0,
        max_value=1440,
        help_text="0 turns slow mode off.",
    )
    reason = forms.CharField(label="Why (members see this)", required=False, max_length=200)


class AppealForm(forms.Form):
    text = forms.CharField(
        label="Why should this decision change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A different moderator will read this when the group has one. You can appeal each decision once.",
    )


class ModeratorNoteForm(forms.Form):
    text = forms.CharField(
        label="Private note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only this group's moderators and site staff see notes.",
    )


class SuspendForm(forms.Form):
    LENGTHS = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("", "For good (no end date)")]
    days = forms.ChoiceField(label="Suspend for", choices=LENGTHS, required=False)
    reason = forms.CharField(label="Reason (the member sees it)", max_length=300)

    def clean_days(self):
        value = self.cleaned_data["days"]
        return int(value) if value else None


class LogExportForm(forms.Form):
    start = SaneDateField(label="From", years_ahead=1)
    end = SaneDateField(label="To (inclusive)", years_ahead=1)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The end date is before the start date.")
        return data
