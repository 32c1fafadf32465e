"""Demo organisation for `manage.py load_demo`: a customer-service division of a fictional Hong Kong bank."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from people.models import Department, Position, StaffProfile
from people.roles import (
    AUDITOR,
    COMPLIANCE_OFFICER,
    CONTENT_EDITOR,
    HR,
    STAFF,
    SUPERVISOR,
    TRAINING_ADMIN,
    sync_roles,
)

DEMO_PASSWORD = "servewell-demo"

DEPARTMENTS = [
    ("CSD", "客戶服務部", "全行售後客戶服務的管理及督導"),
    ("CSD-BR", "中環分行客戶服務組", "分行櫃檯及大堂的售後服務、資料更新與查詢"),
    ("CSD-PB", "電話理財中心", "熱線及網上客服：賬戶查詢、卡務、交易異常跟進"),
    ("CSD-CR", "客戶關係及投訴處理組", "投訴受理、爭議調解、服務補救及滿意度調查"),
    ("SQT", "服務質素及培訓部", "服務標準制訂、員工培訓及考核"),
    ("CMP", "合規部", "法規跟進、反洗錢及反欺詐、合規培訓"),
    ("IAD", "內部審計部", "獨立審查各部門的程序與紀錄"),
    ("HRD", "人力資源部", "員工資料、績效考核及培訓紀錄"),
]

POSITIONS = [
    ("MGR", "客戶服務部經理", True),
    ("TL", "組長", True),
    ("SCSO", "高級客戶服務主任", False),
    ("CSO", "客戶服務主任", False),
    ("CSA", "客戶服務助理", False),
    ("TRN", "培訓主任", False),
    ("EDT", "內容編輯", False),
    ("CO", "合規主任", False),
    ("AUD", "內部審計師", False),
    ("HRO", "人力資源主任", False),
]

# username, employee number, name, department, position, supervisor username, hire date, roles
PEOPLE: list[tuple[str, str, str, str, str, str | None, datetime.date | None, tuple[str, ...]]] = [
    ("supervisor1", "E10021", "鍾振邦", "CSD", "MGR", None, datetime.date(2012, 8, 1), (STAFF, SUPERVISOR)),
    (
        "supervisor2",
        "E10135",
        "羅慧敏",
        "CSD-PB",
        "TL",
        "supervisor1",
        datetime.date(2016, 3, 14),
        (STAFF, SUPERVISOR),
    ),
    ("staff01", "E10342", "陳嘉欣", "CSD-BR", "SCSO", "supervisor1", datetime.date(2018, 9, 3), (STAFF,)),
    ("staff02", "E10518", "李志明", "CSD-BR", "CSO", "supervisor1", datetime.date(2020, 1, 6), (STAFF,)),
    ("staff03", "E10604", "黃淑儀", "CSD-BR", "CSO", "supervisor1", datetime.date(2021, 7, 19), (STAFF,)),
    ("staff04", "E10733", "張偉強", "CSD-BR", "CSA", "supervisor1", datetime.date(2023, 2, 1), (STAFF,)),
    ("staff05", "E10397", "林美玲", "CSD-PB", "SCSO", "supervisor2", datetime.date(2019, 4, 15), (STAFF,)),
    (
        "staff06",
        "E10455",
        "何家豪",
        "CSD-CR",
        "TL",
        "supervisor2",
        datetime.date(2017, 11, 1),
        (STAFF, SUPERVISOR),
    ),
    ("staff07", "E10621", "吳詠詩", "CSD-PB", "CSO", "supervisor2", datetime.date(2021, 10, 4), (STAFF,)),
    ("staff08", "E10702", "梁俊傑", "CSD-PB", "CSO", "supervisor2", datetime.date(2022, 6, 13), (STAFF,)),
    ("staff09", "E10788", "鄭曉彤", "CSD-PB", "CSA", "supervisor2", datetime.date(2024, 5, 2), (STAFF,)),
    ("staff10", "E10566", "劉子健", "CSD-CR", "SCSO", "staff06", datetime.date(2020, 8, 24), (STAFF,)),
    ("staff11", "E10690", "周雅婷", "CSD-CR", "CSO", "staff06", datetime.date(2022, 3, 7), (STAFF,)),
    ("staff12", "E10811", "馮浩然", "CSD-CR", "CSA", "staff06", datetime.date(2025, 9, 1), (STAFF,)),
    ("newhire1", "E10907", "葉思朗", "CSD-PB", "CSA", "supervisor2", None, (STAFF,)),
    ("editor", "E20114", "潘嘉慧", "SQT", "EDT", None, datetime.date(2019, 2, 18), (STAFF, CONTENT_EDITOR)),
    ("trainer", "E20087", "蔡雪瑩", "SQT", "TRN", None, datetime.date(2015, 6, 1), (STAFF, TRAINING_ADMIN)),
    (
        "compliance",
        "E30042",
        "袁志成",
        "CMP",
        "CO",
        None,
        datetime.date(2014, 10, 13),
        (STAFF, COMPLIANCE_OFFICER),
    ),
    ("auditor", "E40019", "孔德明", "IAD", "AUD", None, datetime.date(2013, 5, 20), (AUDITOR,)),
    ("hr", "E50027", "麥綺雯", "HRD", "HRO", None, datetime.date(2016, 9, 5), (STAFF, HR)),
]


def demo_logins() -> list[tuple[str, str]]:
    """(username, what they are) for the README and `make run`."""
    rows = [("admin", "superuser / 系統管理員")]
    for username, _emp, name, dept, pos, _sup, _hired, roles in PEOPLE:
        position = {c: n for c, n, _s in POSITIONS}[pos]
        department = {c: n for c, n, _d in DEPARTMENTS}[dept]
        rows.append((username, f"{name} · {position} · {department} ({', '.join(roles)})"))
    return rows


@transaction.atomic
def load_people(today: datetime.date | None = None) -> dict[str, StaffProfile]:
    today = today or timezone.localdate()
    sync_roles()
    from django.contrib.auth.models import Group

    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@bank.example"})
    admin.is_superuser = admin.is_staff = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()

    departments = {}
    for code, name, description in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    positions = {}
    for code, name, supervisory in POSITIONS:
        positions[code], _ = Position.objects.update_or_create(
            code=code, defaults={"name": name, "is_supervisory": supervisory}
        )
    groups = {g.name: g for g in Group.objects.all()}
    profiles: dict[str, StaffProfile] = {}
    for username, emp, name, dept, pos, sup, hired, roles in PEOPLE:
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@bank.example"
        user.first_name = name
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[r] for r in roles])
        profile = StaffProfile.objects.filter(employee_number=emp).first() or StaffProfile(
            employee_number=emp
        )
        profile.user = user
        profile.display_name = name
        profile.department = departments[dept]
        profile.position = positions[pos]
        profile.supervisor = profiles[sup] if sup else None
        profile.hire_date = hired or today - datetime.timedelta(days=today.weekday())
        profile.is_active = True
        profile.save()
        profiles[username] = profile
    return profiles
