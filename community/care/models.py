"""The care directory: places that offer treatment or peer support, and reports that a
listing is out of date."""

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst


class Treatment(models.TextChoices):
    # Stored as bit flags in this order (see TreatmentSetField): add new ones at the end,
    # never reorder or remove one, or stored sets would change meaning.
    ESKETAMINE = "esketamine", "Esketamine (Spravato), REMS-certified"
    KETAMINE = "ketamine", "Ketamine"
    TMS = "tms", "TMS"
    ECT = "ect", "ECT"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    PEER_SUPPORT = "peer_support", "Peer support"


TREATMENT_BITS = {code: 1 << index for index, code in enumerate(Treatment.values)}
ALL_TREATMENT_BITS = sum(TREATMENT_BITS.values())


def treatments_to_bits(codes: Iterable[str]) -> int:
    try:
        return sum(TREATMENT_BITS[code] for code in set(codes))
    except KeyError as error:
        raise ValidationError(f"Unknown treatment: {error.args[0]}.") from None


def bits_to_treatments(bits: int) -> frozenset[str]:
    return frozenset(code for code, bit in TREATMENT_BITS.items() if bits & bit)


class TreatmentSetField(models.PositiveSmallIntegerField):
    """A set of ``Treatment`` codes, stored as bit flags in one small integer column.

    Why not a many-to-many or a JSON list: this filters in plain SQL on SQLite and
    PostgreSQL alike (``treatments__includes="tms"``), needs no join and no rows of
    reference data, and the directory's distance search reads it in the same query.
    In Python the value is a frozenset of codes.
    """

    description = "A set of treatments"

    @cached_property
    def validators(self):
        # IntegerField's range validators would compare a set with a number.
        return list(self._validators)

    def from_db_value(self, value, expression, connection):
        return None if value is None else bits_to_treatments(value)

    def to_python(self, value):
        if value is None or isinstance(value, frozenset):
            return value
        if isinstance(value, int):
            return bits_to_treatments(value)
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        codes = frozenset(str(code).strip() for code in value)
        treatments_to_bits(codes)  # raises ValidationError for an unknown code
        return codes

    def get_prep_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return treatments_to_bits(self.to_python(value))

    def value_to_string(self, obj):
        return ",".join(sorted(self.value_from_object(obj) or ()))

    def validate(self, value, model_instance):
        if not self.blank and not value:
            raise ValidationError("Choose at least one treatment.", code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "choices": Treatment.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        defaults.update({key: value for key, value in kwargs.items() if key in ("label", "help_text", "required")})
        return forms.MultipleChoiceField(**defaults)

    def value_from_object(self, obj):
        return sorted(getattr(obj, self.attname) or ())


@TreatmentSetField.register_lookup
class IncludesTreatment(models.Lookup):
    """``treatments__includes="tms"``: the set contains that treatment."""

    lookup_name = "includes"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        if value not in TREATMENT_BITS:
            raise ValueError(f"Unknown treatment: {value!r}")
        return "%s", [TREATMENT_BITS[value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", (*lhs_params, *rhs_params)


class CareEntry(models.Model):
    """One place in the directory. Listing is not endorsement; the page says so."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        PRACTITIONER = "practitioner", "Practitioner"
        HOSPITAL_PROGRAM = "hospital_program", "Hospital program"
        PEER_ORGANISATION = "peer_organisation", "Peer support organization"

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind)
    treatments = TreatmentSetField("treatments offered", default=frozenset)
    address = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField("ZIP or postal code", max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="Two-letter country code, for example US.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    telehealth = models.BooleanField("offers telehealth", default=False)
    accepting_new_patients = models.BooleanField(null=True, blank=True, help_text="Leave empty when unknown.")
    notes = models.TextField(max_length=1000, blank=True, help_text="For example, insurance accepted. Plain text.")
    source = models.CharField(max_length=300, help_text="Where this information came from.")
    last_verified = models.DateField(default=timezone.localdate)
    is_listed = models.BooleanField("listed in the directory", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "care entries"
        ordering = ["name", "pk"]
        indexes = [
            # The distance search's bounding-box prefilter: a range on latitude, then longitude.
            models.Index(fields=["latitude", "longitude"], name="care_entry_coords_idx"),
            models.Index(fields=["is_listed", "name"], name="care_entry_listed_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="care_entry_coordinates_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def treatment_labels(self) -> list[str]:
        chosen = self.treatments or frozenset()
        return [label for code, label in Treatment.choices if code in chosen]

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.region) if part)


class CareReport(models.Model):
    """Someone's note that a listing is wrong or out of date, for staff to check."""

    class Problem(models.TextChoices):
        CLOSED = "closed", "It has closed or moved"
        CONTACT = "contact", "The phone number or website is wrong"
        TREATMENTS = "treatments", "The treatments listed are wrong"
        PATIENTS = "patients", "It is not accepting new patients"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for staff"
        RESOLVED = "resolved", "Resolved"

    entry = models.ForeignKey(CareEntry, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    problem = models.CharField(max_length=12, choices=Problem)
    details = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="care_report_status_idx")]

    def __str__(self):
        return f"{self.get_problem_display()}: {self.entry_id}"
