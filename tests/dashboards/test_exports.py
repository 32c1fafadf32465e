"""培訓考核表: XLSX read back with openpyxl cell by cell; CSV with its BOM; headers in the user's language."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from assignments.models import Status
from website.demo import ensure_site

from .fixtures import attempt, hk, owe, target

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def team(make_staff, db):
    ensure_site()
    boss = make_staff("boss", groups=["Staff", "Supervisor"], display_name="鍾振邦")
    dept = boss.department
    a = make_staff("a", supervisor=boss, display_name="陳嘉欣", employee_number="E10342", department=dept)
    b = make_staff(
        "b", supervisor=boss, display_name="=HYPERLINK(1)", employee_number="E10518", department=dept
    )
    c1, c2, c3 = target("反洗錢年度培訓"), target("資訊保安"), target("投訴處理程序")
    owe(a, c1, due=D(2026, 7, 10), status=Status.COMPLETED_ON_TIME, completed=hk(2026, 7, 9, 9))
    owe(a, c2, due=D(2026, 8, 10), status=Status.COMPLETED_LATE, completed=hk(2026, 8, 12, 9))
    owe(a, c3, due=D(2026, 9, 10), status=Status.OVERDUE, key="kb.procedure")
    owe(b, c1, due=D(2026, 7, 10), status=Status.OVERDUE)
    attempt(a, c1, graded=hk(2026, 7, 9, 8), score="60")
    attempt(a, c1, graded=hk(2026, 7, 9, 9), score="90", number=2)
    return boss, a, b


def download(client, fmt: str, lang: str = "zh-hant"):
    client.cookies["django_language"] = lang
    return client.get(reverse("appraisal") + f"?period=quarter&value=2026-Q3&format={fmt}")


def test_xlsx_cell_by_cell(team, login):
    boss, _a, _b = team
    response = download(login(boss.user), "xlsx")
    assert response.status_code == 200
    assert "2026-Q3.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary, dept = book.worksheets
    assert summary.title == "摘要"
    assert summary["A1"].value == "培訓考核表" and summary["B1"].value == "2026-Q3"
    header = [c.value for c in summary[3]]
    assert header[:4] == ["部門", "人數", "應完成項目（期內到期）", "已完成"]
    assert summary.freeze_panes == "B4"
    total = [c.value for c in summary[5]]
    # people 2 (the boss is not in their own team), assigned 4, completed 2, on time 1, late 1, overdue 2
    assert total[:7] == ["合計", 2, 4, 2, 1, 1, 2]
    assert total[7] == 0.5 and summary.cell(5, 8).number_format == "0.0%"
    assert total[8] == 0.25
    assert total[9] == 75.0 and total[10] == 90.0 and total[11] == 2
    assert total[12:15] == [1, 0, 0]
    assert dept.freeze_panes == "C4"
    rows = {row[0].value: [c.value for c in row] for row in dept.iter_rows(min_row=4)}
    assert rows["E10342"][:2] == ["E10342", "陳嘉欣"]
    assert rows["E10342"][6:13] == [3, 2, 1, 1, 1, round(2 / 3, 4), round(1 / 3, 4)]
    assert rows["E10342"][13:16] == [75.0, 90.0, 2]
    assert rows["E10518"][1] == "'=HYPERLINK(1)"  # neutralised, never a formula
    assert rows["E10518"][6:11] == [1, 0, 0, 0, 1]
    assert isinstance(rows["E10342"][6], int)


def test_csv_has_a_bom_and_english_headers_for_english_users(team, login):
    boss, *_ = team
    with translation.override("en"):
        response = download(login(boss.user), "csv", lang="en")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Training appraisal", "2026-Q3"]
    assert rows[2][:3] == ["Department", "Headcount", "Assigned (due in period)"]
    assert rows[4][:7] == ["Total", "2", "4", "2", "1", "1", "2"]
    assert any(r[:2] == ["E10342", "陳嘉欣"] for r in rows)


def test_bad_format_is_400(team, login):
    boss, *_ = team
    assert download(login(boss.user), "pdf").status_code == 400
