from django import forms

from groups.checkins.models import MESSAGE_MAX


class CheckInForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Please write your message first."},
    )

    def __init__(self, *args, label: str = "", help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label
        self.fields["body"].help_text = help_text
