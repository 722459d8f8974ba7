from django import forms
from django.contrib.auth import get_user_model

from community.lib import display_name_problem, normalise_display_name
from community.models.accounts import TIME_ZONE_CHOICES


def clean_display_name_for(value: str, *, user=None) -> str:
    """The one check every form that sets a display name goes through."""
    name = normalise_display_name(value)
    problem = display_name_problem(name)
    if problem:
        raise forms.ValidationError(problem)
    taken = get_user_model().objects.filter(display_name__iexact=name)
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise forms.ValidationError("That display name is taken. Please choose another.")
    return name


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth adds email and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        max_length=60,
        help_text="What other members will see. Please do not use your real name or email.",
    )
    is_adult = forms.BooleanField(
        label="I am 18 or older",
        error_messages={"required": "You must be 18 or older to join this community."},
    )

    field_order = ["email", "display_name", "password1", "password2", "is_adult"]

    def clean_display_name(self):
        return clean_display_name_for(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = get_user_model()
        fields = ["display_name", "time_zone", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}

    def clean_display_name(self):
        return clean_display_name_for(self.cleaned_data["display_name"], user=self.instance)
