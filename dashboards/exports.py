"""The appraisal export 培訓考核表: a summary sheet per department and one sheet of people per department.

Written by the one spreadsheet writer (core.spreadsheets): XLSX in write-only mode to a temporary file, CSV
streamed with a BOM. Figures are numbers (rates as fractions shown as percentages), headers are in the
user's language. The rules behind each figure are in docs/appraisal.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.spreadsheets import Sheet
from people.models import StaffProfile

from .periods import Period
from .selectors import Appraisal, appraisal_by_person

PERCENT = "0.0%"
SCORE = "0.00"


def export_title() -> str:
    return _("Training appraisal")  # 培訓考核表


def _figures(a: Appraisal) -> list:
    return [
        a.assigned,
        a.completed,
        a.on_time,
        a.late,
        a.overdue,
        a.completion_rate,
        a.on_time_rate,
        a.average_score,
        float(a.best_score) if a.best_score is not None else None,
        a.attempts,
        a.acks_due,
        a.acks_done,
        a.training_hours,
    ]


def _figure_headers() -> list[str]:
    return [
        _("Assigned (due in period)"),
        _("Completed"),
        _("Completed on time"),
        _("Completed late"),
        _("Overdue"),
        _("Completion rate"),
        _("On-time rate"),
        _("Average quiz score"),
        _("Best quiz score"),
        _("Quiz attempts"),
        _("Acknowledgements due"),
        _("Acknowledgements done"),
        _("Training hours"),
    ]


_FIGURE_FORMATS = [None, None, None, None, None, PERCENT, PERCENT, SCORE, SCORE, None, None, None, "0.00"]


def appraisal_sheets(
    people: QuerySet[StaffProfile], period: Period, *, now: datetime.datetime | None = None
) -> list[Sheet]:
    """The workbook: a summary (one row per department and a total), then one sheet per department."""
    figures = appraisal_by_person(people, period, now=now)
    by_department: dict[str, list[tuple[StaffProfile, Appraisal]]] = defaultdict(list)
    rows = (
        people.select_related(None)
        .select_related("department", "position", "supervisor")
        .order_by("department__code", "employee_number")
        .only(
            "employee_number",
            "display_name",
            "is_active",
            "hire_date",
            "department__code",
            "department__name",
            "position__name",
            "supervisor__display_name",
        )
    )
    for person in rows.iterator(chunk_size=2000):
        by_department[person.department.name].append((person, figures.get(person.pk) or Appraisal()))

    preamble = [
        [export_title(), period.label],
        [_("Period"), period.start, period.end],
    ]
    summary_rows = []
    total = Appraisal(people=0)
    for department, members in by_department.items():
        dept = Appraisal(people=0)
        for _person, figure in members:
            dept.add(figure)
        total.add(dept)
        summary_rows.append([department, dept.people, *_figures(dept)])
    summary_rows.append([_("Total"), total.people, *_figures(total)])
    sheets = [
        Sheet(
            title=_("Summary"),
            preamble=preamble,
            header=[_("Department"), _("Headcount"), *_figure_headers()],
            rows=summary_rows,
            widths=[24, 8] + [12] * 13,
            freeze_columns=1,
            number_formats=[None, None, *_FIGURE_FORMATS],
        )
    ]
    person_header = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Position"),
        _("Supervisor"),
        _("Active"),
        *_figure_headers(),
    ]
    for department, members in by_department.items():
        sheets.append(
            Sheet(
                title=department,
                preamble=preamble,
                header=person_header,
                rows=_person_rows(members),
                widths=[12, 14, 20, 16, 14, 6] + [12] * 13,
                freeze_columns=2,
                number_formats=[None] * 6 + _FIGURE_FORMATS,
            )
        )
    return sheets


def _person_rows(members: list[tuple[StaffProfile, Appraisal]]) -> Iterator[list]:
    for person, figure in members:
        yield [
            person.employee_number,
            person.display_name,
            person.department.name,
            person.position.name,
            person.supervisor.display_name if person.supervisor else "",
            person.is_active,
            *_figures(figure),
        ]
