"""The HR import is all-or-nothing even when the database fails on its very last write (issue 15 item 4).

The failure is injected on the last writing statement, whatever the import's internal structure
(tests/halfway.py); afterwards no new login, profile, org-chart row or change of an existing person remains.
"""

from __future__ import annotations

import io

import pytest

from people import importing as imp
from people.models import StaffProfile
from tests.factories import DepartmentFactory, PositionFactory
from tests.halfway import changed_tables, database_snapshot, fail_on_last_write

HEADERS = "employee_number,name,email,department,position,supervisor_employee_number,hire_date,active"
FILE = "\r\n".join(
    [
        HEADERS,
        "E001,李經理,e001@bank.example,D01,P02,,2015-04-01,1",
        "E002,陳美美,e002@bank.example,D01,P01,E001,2020-01-06,1",
        "E003,黃志明,e003@bank.example,D02,P01,E001,2021-09-13,1",
        "E900,何家欣,e900@bank.example,D02,P01,E001,2019-03-01,1",  # already there: moves team and supervisor
        "E901,周嘉慧,e901@bank.example,D01,P01,E001,2018-05-02,0",  # already there: leaves
    ]
).encode("utf-8")


@pytest.fixture
def org(db, make_staff):
    departments = [
        DepartmentFactory(code="D01", name="客戶服務一組"),
        DepartmentFactory(code="D02", name="客戶服務二組"),
    ]
    PositionFactory(code="P01", name="客戶服務主任")
    PositionFactory(code="P02", name="客戶服務經理", is_supervisory=True)
    make_staff("e900", employee_number="E900", department=departments[0])
    make_staff("e901", employee_number="E901", department=departments[0])


def do_import():
    return imp.staff_import(imp.parse_staff_file(io.BytesIO(FILE), "staff.csv"))


def test_a_failure_on_the_last_write_leaves_nothing_of_the_import(org):
    before = database_snapshot()

    writes_before_failure = fail_on_last_write(do_import)

    assert writes_before_failure >= 3  # new people, the moved one and the leaver were written before it
    assert changed_tables(before, database_snapshot()) == []
    assert not StaffProfile.objects.filter(employee_number__in=["E001", "E002", "E003"]).exists()


def test_the_same_file_imports_once_the_database_works_again(org):
    fail_on_last_write(do_import)
    result = do_import()
    assert StaffProfile.objects.filter(employee_number__in=["E001", "E002", "E003"]).count() == 3
    assert not StaffProfile.objects.get(employee_number="E901").user.is_active
    assert result is not None
