"""Forms for the care directory: the search, reports of outdated listings, and the CSV
import (the upload, and each row of the file)."""

import csv
import io

from django import forms

from community.care.geo import Place, PlaceAmbiguous, PlaceNotFound, find_place
from community.models import CareEntry, CareReport, Treatment

MIN_RADIUS, MAX_RADIUS, DEFAULT_RADIUS = 1, 500, 25
RADIUS_MESSAGE = f"Choose a distance between {MIN_RADIUS} and {MAX_RADIUS} miles."

# The columns a CSV file has, in this order when we export one. Only the first five are required.
CSV_COLUMNS = [
    "name",
    "kind",
    "treatments",
    "city",
    "source",
    "address",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "phone",
    "website",
    "telehealth",
    "accepting_new_patients",
    "notes",
    "last_verified",
]
REQUIRED_COLUMNS = CSV_COLUMNS[:5]
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CareSearchForm(forms.Form):
    place = forms.CharField(
        label="ZIP code or city",
        max_length=100,
        required=False,
        help_text='The directory covers the US: a ZIP code such as 84101, or a city such as "Salt Lake City, UT".',
    )
    radius = forms.IntegerField(
        label="Within (miles)",
        required=False,
        initial=DEFAULT_RADIUS,
        min_value=MIN_RADIUS,
        max_value=MAX_RADIUS,
        error_messages={"min_value": RADIUS_MESSAGE, "max_value": RADIUS_MESSAGE, "invalid": RADIUS_MESSAGE},
    )
    treatment = forms.ChoiceField(
        choices=[("", "Any treatment"), *Treatment.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a treatment from the list."},
    )
    telehealth = forms.BooleanField(label="Only places that offer telehealth", required=False)
    accepting = forms.BooleanField(label="Only places accepting new patients", required=False)
    # Filled in by static/js/care-location.js when someone shares their location.
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_suggestions: list[str] = []
        self.place_ambiguous = False

    def clean(self):
        cleaned = super().clean()
        cleaned["origin"], cleaned["alternatives"] = None, []
        if cleaned.get("radius") is None and "radius" not in self.errors:
            cleaned["radius"] = DEFAULT_RADIUS
        if cleaned.get("lat") is not None and cleaned.get("lon") is not None and not cleaned.get("place"):
            cleaned["origin"] = Place("your location", cleaned["lat"], cleaned["lon"])
        elif "lat" in self.errors or "lon" in self.errors:
            self.add_error("place", "Your browser sent a location we could not use. Type a ZIP code or city instead.")
        elif cleaned.get("place"):
            try:
                cleaned["origin"], cleaned["alternatives"] = find_place(cleaned["place"])
            except PlaceNotFound as not_found:
                self.place_suggestions = not_found.suggestions
                self.place_ambiguous = isinstance(not_found, PlaceAmbiguous)
                self.add_error("place", not_found.message)
        return cleaned


class CareReportForm(forms.ModelForm):
    class Meta:
        model = CareReport
        fields = ["problem", "details"]
        labels = {"problem": "What is out of date?", "details": "What should it say? (optional)"}
        widgets = {"problem": forms.RadioSelect, "details": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"details": "Please do not include anyone's health information."}


# --- CSV import -----------------------------------------------------------------------------------


class CareImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text=f"The first line names the columns: {', '.join(CSV_COLUMNS)}.")
    dry_run = forms.BooleanField(label="Only check the file; do not add anything yet", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB. Please split it into smaller files.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.") from None
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            header = [name.strip().lower() for name in (reader.fieldnames or [])]
            rows = list(reader)
        except csv.Error as error:
            raise forms.ValidationError(f"The file could not be read as CSV ({error}).") from None
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise forms.ValidationError(
                f"The first line must name the columns. Missing: {', '.join(missing)}. "
                f"Possible columns: {', '.join(CSV_COLUMNS)}."
            )
        if len(rows) > MAX_IMPORT_ROWS:
            raise forms.ValidationError(f"The file has more than {MAX_IMPORT_ROWS} rows. Please split it.")
        # csv puts the cells beyond the header under the key None; the row form reports them.
        return [{_column_name(key): value for key, value in row.items()} for row in rows]


def _column_name(key: str | None) -> str | None:
    return key.strip().lower() if key is not None else None


def unescape_cell(value) -> str:
    """Undo our own export's formula guard ("'=..." back to "=..."), trim spaces.
    A row with too many cells gives csv a list: that becomes an error later."""
    if value is None:
        return ""
    if isinstance(value, list):
        return value
    value = value.strip()
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


def parse_yes_no(value: str, *, allow_unknown: bool) -> bool | None:
    value = value.strip().lower()
    if value in YES:
        return True
    if value in NO or (value == "" and not allow_unknown):
        return False
    if value == "" and allow_unknown:
        return None
    raise forms.ValidationError("Use yes or no.")


class CareEntryRowForm(forms.ModelForm):
    """One row of an imported CSV, validated with the model's own rules."""

    treatments = forms.CharField(required=True, error_messages={"required": "List at least one treatment."})
    telehealth = forms.CharField(required=False)
    accepting_new_patients = forms.CharField(required=False)

    class Meta:
        model = CareEntry
        fields = [name for name in CSV_COLUMNS if name not in ("treatments", "telehealth", "accepting_new_patients")]

    def __init__(self, row: dict, **kwargs):
        self.extra_cells = bool(row.get(None))
        self.located_from = ""
        data = {name: unescape_cell(row.get(name)) for name in CSV_COLUMNS}
        super().__init__(data, **kwargs)
        self.fields["last_verified"].required = False
        self.fields["country"].required = False

    def clean_treatments(self):
        codes = [code.strip().lower() for code in self.cleaned_data["treatments"].replace(",", ";").split(";")]
        codes = [code for code in codes if code]
        unknown = [code for code in codes if code not in Treatment.values]
        if unknown:
            raise forms.ValidationError(
                f"Unknown treatment {', '.join(unknown)}. Use: {', '.join(Treatment.values)} (separated by ;)."
            )
        if not codes:
            raise forms.ValidationError("List at least one treatment.")
        return frozenset(codes)

    def clean_telehealth(self):
        return parse_yes_no(self.cleaned_data["telehealth"], allow_unknown=False)

    def clean_accepting_new_patients(self):
        return parse_yes_no(self.cleaned_data["accepting_new_patients"], allow_unknown=True)

    def clean_country(self):
        return (self.cleaned_data.get("country") or "US").upper()

    def clean(self):
        cleaned = super().clean()
        if self.extra_cells:
            raise forms.ValidationError("The row has more cells than the first line has column names.")
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError("Give both latitude and longitude, or neither.")
        if cleaned.get("latitude") is None and not self.errors:
            self._locate(cleaned)
        return cleaned

    def _locate(self, cleaned) -> None:
        """Coordinates from the ZIP code, or else the city, when the row has none."""
        attempts = []
        if cleaned.get("country") == "US" and cleaned.get("postal_code"):
            attempts.append(cleaned["postal_code"])
        attempts.append(", ".join(part for part in (cleaned.get("city"), cleaned.get("region")) if part))
        for attempt in attempts:
            try:
                place, _others = find_place(attempt)
            except PlaceNotFound:
                continue
            cleaned["latitude"], cleaned["longitude"] = place.latitude, place.longitude
            self.located_from = place.label
            return
        raise forms.ValidationError(
            "No latitude and longitude, and we could not find the ZIP code or city to place it on the map."
        )

    def _post_clean(self):
        # The model's own checks need the three fields cleaned above on the instance.
        for name in ("treatments", "telehealth", "accepting_new_patients"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        if not self.cleaned_data.get("last_verified") and "last_verified" not in self.errors:
            self.cleaned_data.pop("last_verified", None)
        super()._post_clean()
