from django import forms
from django.contrib.auth import get_user_model

from community.privacy.actions import DeletionMode


class DeleteAccountForm(forms.Form):
    mode = forms.ChoiceField(
        label="What should happen to your posts and replies?",
        choices=DeletionMode.CHOICES,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label="I understand that my account is deleted for good and cannot be restored.",
        error_messages={"required": "Please tick the box to confirm."},
    )


class BlockForm(forms.Form):
    display_name = forms.CharField(label="Display name of the member to block", max_length=60)

    def __init__(self, *args, blocker, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocker = blocker

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        member = get_user_model().objects.filter(display_name__iexact=name, is_active=True).first()
        if member is None:
            raise forms.ValidationError("No member has that display name.")
        if member.pk == self.blocker.pk:
            raise forms.ValidationError("You cannot block yourself.")
        self.cleaned_data["member"] = member
        return name
