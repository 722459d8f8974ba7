"""The journal's tables. Words and named choices are encrypted (see crypto.py); dates and
scores are plain so that the database can order and check them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from community.journal.crypto import EncryptedJSONField, EncryptedTextField


class TreatmentKind(models.TextChoices):
    MEDICATION = "medication", "Medication"
    ESKETAMINE = "esketamine", "Esketamine (Spravato)"
    KETAMINE = "ketamine", "Ketamine"
    TMS = "tms", "TMS (transcranial magnetic stimulation)"
    ECT = "ect", "ECT (electroconvulsive therapy)"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    OTHER = "other", "Something else"


# Treatments that are given in sessions, so that sessions can be recorded under them.
SESSION_KINDS = {TreatmentKind.ESKETAMINE, TreatmentKind.KETAMINE, TreatmentKind.TMS, TreatmentKind.ECT}


class Response(models.TextChoices):
    NO_CHANGE = "no_change", "No change"
    A_LITTLE = "a_little", "A little"
    PARTLY = "partly", "Partly"
    A_LOT = "a_lot", "A lot"
    WELL = "well", "Well"


class SideEffect(models.TextChoices):
    # Common ones to tick; anything else goes in the member's own words.
    NAUSEA = "nausea", "Nausea or upset stomach"
    WEIGHT = "weight", "Weight change"
    SLEEP = "sleep", "Sleeping more or less"
    TIRED = "tired", "Tiredness"
    HEADACHE = "headache", "Headache"
    DIZZY = "dizzy", "Dizziness"
    DISSOCIATION = "dissociation", "Feeling detached or unreal"
    SEXUAL = "sexual", "Sexual side effects"
    MEMORY = "memory", "Memory trouble"
    RESTLESS = "restless", "Restlessness or agitation"
    DRY_MOUTH = "dry_mouth", "Dry mouth"
    BLOOD_PRESSURE = "blood_pressure", "Raised blood pressure"


class JournalTreatment(models.Model):
    """A treatment the member tried. Dates are kept to the month (the first of it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_treatments")
    kind = EncryptedTextField(choices=TreatmentKind)
    name = EncryptedTextField()
    dose = EncryptedTextField(blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    weeks_at_full_dose = models.PositiveSmallIntegerField(null=True, blank=True)
    response = EncryptedTextField(choices=Response, blank=True)
    how_it_went = EncryptedTextField(blank=True)
    side_effects = EncryptedJSONField(default=list, blank=True)
    side_effects_other = EncryptedTextField(blank=True)
    why_stopped = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["user", "started_on"], name="journal_treatment_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="journal_treatment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weeks_at_full_dose__isnull=True) | Q(weeks_at_full_dose__lte=520),
                name="journal_treatment_weeks_range",
            ),
        ]

    def __str__(self):
        return f"Journal treatment {self.pk}"

    @property
    def is_ongoing(self) -> bool:
        return self.ended_on is None

    @property
    def has_sessions(self) -> bool:
        return self.kind in SESSION_KINDS

    @property
    def side_effect_labels(self) -> list[str]:
        labels = dict(SideEffect.choices)
        return [labels[code] for code in self.side_effects if code in labels]


class Feeling(models.TextChoices):
    MUCH_WORSE = "much_worse", "Much worse"
    WORSE = "worse", "A bit worse"
    SAME = "same", "About the same"
    BETTER = "better", "A bit better"
    MUCH_BETTER = "much_better", "Much better"


class JournalSession(models.Model):
    """One session of a treatment given in sessions (esketamine, ketamine, TMS, ECT)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_sessions")
    treatment = models.ForeignKey(JournalTreatment, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    felt_after = EncryptedTextField(choices=Feeling, blank=True)
    side_effects = EncryptedTextField(blank=True)
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["user", "date"], name="journal_session_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1, number__lte=500),
                name="journal_session_number_range",
            ),
        ]

    def __str__(self):
        return f"Journal session {self.pk}"


class Questionnaire(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    QIDS = "qids", "QIDS-SR16"
    MADRS = "madrs", "MADRS"
    BDI2 = "bdi2", "BDI-II"
    OTHER = "other", "Another questionnaire"


# The highest total each questionnaire can give (its published scoring range starts at 0).
QUESTIONNAIRE_MAX = {"phq9": 27, "gad7": 21, "qids": 27, "madrs": 60, "bdi2": 63, "other": 100}


class SelfHarm(models.TextChoices):
    NO = "no", "No"
    YES = "yes", "Yes"


SCALE = [(n, str(n)) for n in range(1, 6)]


class JournalCheckIn(models.Model):
    """How the member is, on scales of 1 to 5, as often as they like."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_checkins")
    date = models.DateField()
    mood = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    sleep = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    energy = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    anxiety = models.PositiveSmallIntegerField(choices=SCALE, null=True, blank=True)
    self_harm_thoughts = EncryptedTextField(choices=SelfHarm, blank=True)
    questionnaire = EncryptedTextField(choices=Questionnaire, blank=True)
    questionnaire_score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["user", "date"], name="journal_checkin_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="journal_checkin_mood_range"
            ),
            models.CheckConstraint(
                condition=Q(sleep__isnull=True) | Q(sleep__gte=1, sleep__lte=5), name="journal_checkin_sleep_range"
            ),
            models.CheckConstraint(
                condition=Q(energy__isnull=True) | Q(energy__gte=1, energy__lte=5),
                name="journal_checkin_energy_range",
            ),
            models.CheckConstraint(
                condition=Q(anxiety__isnull=True) | Q(anxiety__gte=1, anxiety__lte=5),
                name="journal_checkin_anxiety_range",
            ),
            models.CheckConstraint(
                condition=Q(questionnaire_score__isnull=True) | Q(questionnaire_score__lte=100),
                name="journal_checkin_score_range",
            ),
        ]

    def __str__(self):
        return f"Journal check-in {self.pk}"


class JournalQuestion(models.Model):
    """A question for the next appointment, ticked off once asked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_questions")
    text = EncryptedTextField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Journal question {self.pk}"


class JournalReminder(models.Model):
    """Whether the member wants an email reminding them to check in (it carries no content)."""

    class Frequency(models.TextChoices):
        NEVER = "never", "No reminders"
        DAILY = "daily", "Every day"
        WEEKLY = "weekly", "Once a week"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_reminder")
    frequency = models.CharField(max_length=8, choices=Frequency, default=Frequency.NEVER)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["frequency", "last_sent_at"], name="journal_reminder_due_idx")]

    def __str__(self):
        return f"Journal reminder {self.pk}"


class JournalShareLink(models.Model):
    """A read-only link to the summary for a clinician. Only a hash of its secret is kept,
    so a database dump cannot be turned into working links."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_share_links")
    secret_hash = models.CharField(max_length=64, unique=True)
    period_days = models.PositiveSmallIntegerField(null=True, blank=True)
    show_display_name = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Journal share link {self.pk}"

    def is_live(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class JournalShareOpen(models.Model):
    """When a share link was opened: the time only, nothing about who opened it."""

    link = models.ForeignKey(JournalShareLink, on_delete=models.CASCADE, related_name="opens")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"Share link opened {self.pk}"
