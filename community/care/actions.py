"""Writing to the care directory: reports of outdated listings, staff verifying and
importing entries."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from community.care.forms import CareEntryRowForm
from community.core.errors import ActionRefused
from community.models import CareEntry, CareReport


@transaction.atomic
def report_outdated(*, reporter, entry: CareEntry, problem: str, details: str = "") -> CareReport:
    already = CareReport.objects.filter(entry=entry, reporter=reporter, status=CareReport.Status.OPEN).exists()
    if already:
        raise ActionRefused("You have already reported this listing. Staff will check it soon; thank you.")
    return CareReport.objects.create(entry=entry, reporter=reporter, problem=problem, details=details)


@transaction.atomic
def resolve_report(*, staff, report: CareReport) -> CareReport:
    report = CareReport.objects.select_for_update().get(pk=report.pk)
    if report.status == CareReport.Status.OPEN:
        report.status = CareReport.Status.RESOLVED
        report.resolved_by = staff
        report.resolved_at = timezone.now()
        report.save(update_fields=["status", "resolved_by", "resolved_at"])
    return report


@transaction.atomic
def mark_verified(*, staff, entry: CareEntry) -> CareEntry:
    """Staff checked the listing against its source today."""
    entry.last_verified = timezone.localdate()
    entry.save(update_fields=["last_verified", "updated_at"])
    return entry


@dataclass
class ImportReport:
    dry_run: bool
    accepted: list[tuple[int, str, str]] = field(default_factory=list)  # (line, name, note)
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (line, name, reasons)

    @property
    def created(self) -> int:
        return 0 if self.dry_run else len(self.accepted)


def _duplicate_key(name: str, postal_code: str) -> tuple[str, str]:
    return (" ".join(name.casefold().split()), postal_code.strip().casefold())


@transaction.atomic
def import_care_entries(*, staff, rows: list[dict], dry_run: bool) -> ImportReport:
    """Check every row; add the good ones unless ``dry_run``. All or nothing on a crash.

    A row is rejected, with every reason, when it breaks a rule of the model or names a
    place already listed (same name and ZIP code) in the directory or earlier in the file.
    """
    report = ImportReport(dry_run=dry_run)
    seen = {_duplicate_key(name, postal) for name, postal in CareEntry.objects.values_list("name", "postal_code")}
    new_entries = []
    # Line 1 is the header, so the first row is line 2, as a spreadsheet numbers it.
    for line, row in enumerate(rows, start=2):
        form = CareEntryRowForm(row)
        name = str(row.get("name") or "")[:150]
        if not form.is_valid():
            reasons = [f"{_column(key)}{message}" for key, messages in form.errors.items() for message in messages]
            report.rejected.append((line, name, reasons))
            continue
        key = _duplicate_key(form.instance.name, form.instance.postal_code)
        if key in seen:
            report.rejected.append((line, name, ["Already listed: an entry with this name and ZIP code exists."]))
            continue
        seen.add(key)
        note = f"placed at {form.located_from}" if form.located_from else ""
        report.accepted.append((line, form.instance.name, note))
        new_entries.append(form.instance)
    if not dry_run and new_entries:
        CareEntry.objects.bulk_create(new_entries, batch_size=500)
    return report


def _column(key: str) -> str:
    return "" if key == "__all__" else f"{key}: "
