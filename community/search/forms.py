from django import forms

from community.search.queries import KINDS

QUERY_MAX = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=QUERY_MAX,
        required=False,
        error_messages={"max_length": f"Please shorten your search to {QUERY_MAX} characters or fewer."},
    )
    kind = forms.ChoiceField(
        label="Show",
        choices=[("", "Everything"), *KINDS.items()],
        required=False,
        error_messages={"invalid_choice": "Choose what to show from the list."},
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
