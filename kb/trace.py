"""Traceability of a regulation update for compliance officers and auditors, on screen and as XLSX/CSV."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.hooks import trace_sections
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
    context = {
        "trace": trace,
        "page": trace.regulation,
        "status_labels": STATUS_LABELS,
        "training_sections": trace_sections(trace.regulation),
    }
    return TemplateResponse(request, "kb/regulation_trace.html", context)


def _table(trace: RegulationTrace) -> tuple[list[str], list[list[str]]]:
    header = [
        _("Department"),
        _("Employee number"),
        _("Name"),
        _("Position"),
        _("Status"),
        _("Due date"),
        _("Acknowledged at"),
    ]
    rows = [
        [
            row.person.department.name,
            row.person.employee_number,
            row.person.display_name,
            row.person.position.name,
            str(STATUS_LABELS[row.status]),
            row.due_date.isoformat() if row.due_date else "",
            timezone.localtime(row.acknowledged_at).strftime("%Y-%m-%d %H:%M") if row.acknowledged_at else "",
        ]
        for row in trace.rows
    ]
    return header, rows


def traceability_download(request, page_id: int, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Downloads are CSV or XLSX."))
    trace = _trace_for(request, page_id)
    header, rows = _table(trace)
    regulation = trace.regulation
    filename = f"trace-{regulation.pk}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([regulation.document_number, regulation.title])
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx(trace, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(trace: RegulationTrace, header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    regulation = trace.regulation
    book = Workbook()
    sheet = book.active
    sheet.title = _("Acknowledgements")[:31]
    sheet.append([regulation.document_number, regulation.title])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    procedures = book.create_sheet(_("Procedures")[:31])
    procedures.append([_("Code"), _("Procedure"), _("Versions published since"), _("Review flag")])
    for item in trace.procedures:
        procedures.append(
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
                    else _("open")
                    for f in item.flags
                ),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
