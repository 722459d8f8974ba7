from django import forms
from django.contrib.auth import get_user_model

from community.core.text import display_name_problem, normalise_display_name
from community.core.timezones import TimeZoneField


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
    # Filled from the browser by static/js/time-zone.js; the member sees it and can change it.
    time_zone = TimeZoneField(
        label="Your time zone",
        help_text="Meeting times are shown in this zone. Type a city or region, such as Denver or Europe.",
        error_messages={"required": "Please choose your time zone, so that meeting times are right for you."},
    )
    is_adult = forms.BooleanField(
        label="I am 18 or older",
        error_messages={"required": "You must be 18 or older to join this community."},
    )

    field_order = ["email", "display_name", "password1", "password2", "time_zone", "is_adult"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def clean_display_name(self):
        return clean_display_name_for(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = get_user_model()
        fields = ["display_name", "time_zone", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}

    def clean_display_name(self):
        return clean_display_name_for(self.cleaned_data["display_name"], user=self.instance)
