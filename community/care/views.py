import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff, staff_required
from community.care import actions
from community.care import queries as directory
from community.care.forms import CareImportForm, CareReportForm, CareSearchForm
from community.core.errors import ActionRefused
from community.core.pagecache import visitor_page
from community.models import CareEntry, CareReport

# Official locators we point to from every directory page (docs/safety.md rule 12).
OFFICIAL_LOCATORS = [
    {
        "name": "SPRAVATO® REMS: certified treatment centers",
        "url": "https://www.spravatorems.com/",
        "about": "The official program site for esketamine; only REMS-certified centers may give it.",
    },
    {
        "name": "FindTreatment.gov (SAMHSA)",
        "url": "https://findtreatment.gov/",
        "about": "The US government's confidential locator for mental health and substance use treatment.",
    },
]


# Offered when a place has nothing near it: the next distances out, up to the form's limit.
WIDER_RADII = [50, 100, 250, 500]


@visitor_page
def care_list(request):
    form = CareSearchForm(request.GET or None)
    page = None
    filters = {}
    if not request.GET or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        page = directory.search_directory(
            origin=filters.get("origin"),
            radius=filters.get("radius") or 0,
            treatment=filters.get("treatment", ""),
            telehealth=filters.get("telehealth", False),
            accepting=filters.get("accepting", False),
            page_number=request.GET.get("page"),
        )
    origin = filters.get("origin")
    radius = filters.get("radius") or 0
    nothing_near = origin is not None and page is not None and page.paginator.count == 0
    context = {
        "form": form,
        "page": page,
        "origin": origin,
        "alternatives": filters.get("alternatives", []),
        "query": _query_without(request, "page"),
        # Links to another place keep the distance, treatment and filters chosen.
        "other_place_query": _query_without(request, "page", "place", "lat", "lon"),
        "wider_radii": [miles for miles in WIDER_RADII if miles > radius] if nothing_near else [],
        "same_place_query": _query_without(request, "page", "radius"),
        "telehealth_query": _query_without(request, "page", "place", "lat", "lon", "radius", "telehealth"),
        "locators": OFFICIAL_LOCATORS,
        "is_staff": is_site_staff(request.user),
    }
    return render(request, "community/care/care_list.html", context)


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
def care_report(request, entry_id):
    entry = get_object_or_404(CareEntry, pk=entry_id, is_listed=True)
    form = CareReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.report_outdated(reporter=request.user, entry=entry, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Thank you. Site staff will check this listing against its source.")
            return redirect("community:care-list")
    status = 400 if form.errors else 200
    return render(request, "community/care/care_report.html", {"entry": entry, "form": form}, status=status)


@login_required
@staff_required
def care_report_list(request):
    return render(request, "community/care/care_report_list.html", {"reports": directory.open_reports()})


@login_required
@require_POST
@staff_required
def care_report_resolve(request, report_id):
    report = get_object_or_404(CareReport, pk=report_id)
    actions.resolve_report(staff=request.user, report=report)
    messages.success(request, f"The report on {report.entry.name} is marked as resolved.")
    return redirect("community:care-report-list")


@login_required
@require_POST
@staff_required
def care_verify(request, entry_id):
    entry = get_object_or_404(CareEntry, pk=entry_id)
    actions.mark_verified(staff=request.user, entry=entry)
    messages.success(request, f"{entry.name} is marked as verified today.")
    return redirect(_safe_next(request) or "community:care-list")


def _safe_next(request) -> str:
    """Go back to the page the button was on, if it is one of ours."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


@login_required
@staff_required(two_factor=True)
def care_import(request):
    form = CareImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = actions.import_care_entries(
            staff=request.user, rows=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
    status = 400 if form.errors else 200
    return render(request, "community/care/care_import.html", {"form": form, "report": report}, status=status)


class _Echo:
    """csv.writer writes to this and gets each line back, for streaming."""

    def write(self, value):
        return value


@login_required
@staff_required(two_factor=True)
def care_export(request):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in directory.export_rows()), content_type="text/csv; charset=utf-8"
    )
    filename = f"care-directory-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
