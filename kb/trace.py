"""Traceability of a regulation update for compliance officers and auditors, on screen and as XLSX/CSV."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import Sheet, local_time_label, spreadsheet_response
from kb.models import RegulationUpdatePage
from kb.selectors import RegulationTrace, regulation_trace

TRACE_PERMISSION = "people.view_all_staff"  # compliance officers, auditors, training admins

STATUS_LABELS = {
    "done": gettext_lazy("Acknowledged on time"),
    "late": gettext_lazy("Acknowledged late"),
    "overdue": gettext_lazy("Overdue"),
    "pending": gettext_lazy("Not yet due"),
}


def _trace_for(request, page_id: int) -> RegulationTrace:
    if not request.user.has_perm(TRACE_PERMISSION):
        raise PermissionDenied(
            _("Only compliance officers, auditors and training admins can see traceability.")
        )
    page = get_object_or_404(RegulationUpdatePage.objects.select_related("issuer"), pk=page_id)
    return regulation_trace(page)


def traceability(request, page_id: int):
    trace = _trace_for(request, page_id)
    context = {"trace": trace, "page": trace.regulation, "status_labels": STATUS_LABELS}
    return TemplateResponse(request, "kb/regulation_trace.html", context)


def _sheets(trace: RegulationTrace) -> list[Sheet]:
    """The acknowledgements per person, then the affected procedures (XLSX only: a CSV holds one table)."""
    regulation = trace.regulation
    acknowledgements = Sheet(
        title=_("Acknowledgements"),
        preamble=[[regulation.document_number, regulation.title]],
        header=[
            _("Department"),
            _("Employee number"),
            _("Name"),
            _("Position"),
            _("Status"),
            _("Due date"),
            _("Acknowledged at (%(zone)s)") % {"zone": local_time_label()},
        ],
        rows=[
            [
                row.person.department.name,
                row.person.employee_number,
                row.person.display_name,
                row.person.position.name,
                STATUS_LABELS[row.status],
                row.due_date,
                row.acknowledged_at,
            ]
            for row in trace.rows
        ],
        widths=(16, 12, 16, 16, 14, 12, 18),
    )
    procedures = Sheet(
        title=_("Procedures"),
        header=[_("Code"), _("Procedure"), _("Versions published since"), _("Review flag")],
        rows=[
            [
                item.procedure.code,
                item.procedure.title,
                "; ".join(
                    f"v{v.label} {timezone.localdate(v.published_at).isoformat()}"
                    for v in item.versions_since
                ),
                "; ".join(
                    (_("cleared %(date)s") % {"date": timezone.localdate(f.cleared_at).isoformat()})
                    if f.cleared_at
                    else (_("answered by a later version") if f.answered else _("open"))
                    for f in item.flags
                ),
            ]
            for item in trace.procedures
        ],
    )
    return [acknowledgements, procedures]


def traceability_download(request, page_id: int, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Downloads are CSV or XLSX."))
    trace = _trace_for(request, page_id)
    sheets = _sheets(trace)
    stem = f"trace-{trace.regulation.pk}-{timezone.localdate().isoformat()}"
    return spreadsheet_response(stem, fmt, sheets[:1] if fmt == "csv" else sheets)
