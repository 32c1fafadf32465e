"""Rules: who they assign (each audience kind), at once on rule and person changes, never twice."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from assignments.models import Obligation, Status
from assignments.services import Changes, rules_materialise
from people.roles import SUPERVISOR
from people.services import org_move, staff_set_active
from tests.factories import DepartmentFactory, PositionFactory


def owed(rule):
    return set(rule.obligations.current().values_list("person__user__username", flat=True))


def test_everyone_rule_assigns_every_active_person(make_staff, make_rule):
    make_staff("a"), make_staff("b")
    gone = make_staff("c")
    staff_set_active(gone, active=False)
    rule = make_rule(audience_all=True)
    assert owed(rule) == {"a", "b"}


def test_department_rule(make_staff, make_rule):
    d1, d2 = DepartmentFactory(code="CS1", name="客服一部"), DepartmentFactory(code="CS2", name="客服二部")
    make_staff("one", department=d1), make_staff("two", department=d2), make_staff("other")
    rule = make_rule(departments=[d1, d2])
    assert owed(rule) == {"one", "two"}


def test_position_and_department_must_both_match(make_staff, make_rule):
    dept, pos = DepartmentFactory(code="CS1"), PositionFactory(code="CSO")
    make_staff("both", department=dept, position=pos)
    make_staff("dept_only", department=dept)
    make_staff("pos_only", position=pos)
    assert owed(make_rule(departments=[dept], positions=[pos])) == {"both"}
    assert owed(make_rule("only positions", positions=[pos])) == {"both", "pos_only"}


def test_group_rule(make_staff, make_rule):
    make_staff("boss", groups=[SUPERVISOR]), make_staff("worker")
    assert owed(make_rule(groups=[Group.objects.get(name=SUPERVISOR)])) == {"boss"}


def test_hired_after_rule_and_due_after_hire(make_staff, make_rule):
    make_staff("veteran", hire_date=datetime.date(2020, 1, 1))
    newbie = make_staff("newbie", hire_date=datetime.date(2026, 11, 20))
    rule = make_rule(audience_hired_on_or_after=datetime.date(2026, 1, 1), due_kind="after_hire", due_days=30)
    assert owed(rule) == {"newbie"}
    assert Obligation.objects.get(person=newbie).due_date == datetime.date(2026, 12, 20)


def test_named_people_rule_and_fixed_due_date(make_staff, make_rule):
    named = make_staff("named")
    make_staff("not_named")
    rule = make_rule(people=[named], due_kind="fixed", due_date=datetime.date(2027, 3, 31))
    assert owed(rule) == {"named"}
    assert rule.obligations.get().due_date == datetime.date(2027, 3, 31)


def test_due_after_assignment(make_staff, make_rule):
    make_staff("a")
    rule = make_rule(audience_all=True, due_days=30)
    assert rule.obligations.get().due_date == timezone.localdate() + datetime.timedelta(days=30)


def test_recomputing_never_duplicates(make_staff, make_rule):
    person = make_staff("a")
    rule = make_rule(audience_all=True)
    rules_materialise(rule)
    rules_materialise()
    person.save()
    assert Obligation.objects.count() == 1


def test_department_change_withdraws_and_creates_at_once_keeping_history(make_staff, make_rule, course):
    d1, d2 = DepartmentFactory(code="CS1"), DepartmentFactory(code="CS2")
    person = make_staff("mover", department=d1)
    first = make_rule("客服一部培訓", departments=[d1])
    second = make_rule("客服二部培訓", departments=[d2])
    assert owed(first) == {"mover"} and owed(second) == set()

    person.department = d2
    person.save()

    old = Obligation.objects.get(rule=first)
    assert old.status == Status.WITHDRAWN and old.withdrawn_at is not None  # kept, not deleted
    assert owed(second) == {"mover"}

    person.department = d1  # back again: a new obligation, the withdrawn one stays in history
    person.save()
    assert first.obligations.count() == 2
    assert first.obligations.current().get().status == Status.NOT_STARTED


def test_completed_obligation_is_not_withdrawn_when_leaving(make_staff, make_rule, course):
    d1, d2 = DepartmentFactory(code="CS1"), DepartmentFactory(code="CS2")
    person = make_staff("mover", department=d1)
    rule = make_rule(departments=[d1])
    from assignments.services import obligation_fulfil

    obligation_fulfil(user=person.user, target=course, at=timezone.now())
    person.department = d2
    person.save()
    assert rule.obligations.get().status == Status.COMPLETED_ON_TIME


def test_new_hire_is_assigned_when_created(make_staff, make_rule):
    rule = make_rule(audience_hired_on_or_after=datetime.date(2026, 1, 1), due_kind="after_hire", due_days=30)
    hire = make_staff("newhire", hire_date=datetime.date(2026, 12, 1))
    assert rule.obligations.get(person=hire).due_date == datetime.date(2026, 12, 31)


def test_deactivation_withdraws(make_staff, make_rule):
    person = make_staff("leaver")
    rule = make_rule(audience_all=True)
    staff_set_active(person, active=False)
    assert rule.obligations.get().status == Status.WITHDRAWN


def test_rule_switched_off_or_audience_narrowed_withdraws(
    make_staff, make_rule, django_capture_on_commit_callbacks
):
    d1 = DepartmentFactory(code="CS1")
    make_staff("in", department=d1), make_staff("out")
    rule = make_rule(audience_all=True)
    assert owed(rule) == {"in", "out"}
    kept = rule.obligations.get(person__user__username="in")
    with django_capture_on_commit_callbacks(execute=True):  # one edit: the rule, then its lists
        rule.audience_all = False
        rule.save()
        rule.audience_departments.add(d1)
    assert owed(rule) == {"in"}
    assert rule.obligations.current().get() == kept  # untouched: same row, same due date
    with django_capture_on_commit_callbacks(execute=True):
        rule.is_active = False
        rule.save()
    assert owed(rule) == set()
    assert rule.obligations.count() == 2  # both rows remain as history, withdrawn
    assert set(rule.obligations.values_list("status", flat=True)) == {Status.WITHDRAWN}


def test_rule_outside_its_window_assigns_nobody(make_staff, make_rule):
    make_staff("a")
    later = timezone.localdate() + datetime.timedelta(days=10)
    rule = make_rule(audience_all=True, active_from=later)
    assert owed(rule) == set()


def test_supervisor_move_materialises(make_staff, make_rule):
    boss = make_staff("boss")
    other_boss = make_staff("other")
    person = make_staff("p", supervisor=boss)
    rule = make_rule(people=[person])
    assert owed(rule) == {"p"}
    org_move(person, other_boss)  # a supervisor move re-sends the person's change: still owed, no double
    assert rule.obligations.count() == 1


def test_large_rules_are_inserted_in_one_statement_with_the_same_rows(make_staff, make_rule, monkeypatch):
    from assignments import services

    make_staff("a"), make_staff("b", hire_date=datetime.date(2026, 11, 1))
    fields = ("person_id", "target_id", "title", "cycle", "source", "status", "due_date", "mandatory")
    slow = make_rule("逐筆", audience_all=True, due_kind="after_hire", due_days=30, recurrence_months=12)
    monkeypatch.setattr(services, "FAST_INSERT_FROM", 0)
    fast = make_rule("一次", audience_all=True, due_kind="after_hire", due_days=30, recurrence_months=12)
    rows = {rule: sorted(rule.obligations.values_list(*fields)) for rule in (slow, fast)}
    assert len(rows[fast]) == 2 and rows[fast] == rows[slow]
    ob = fast.obligations.first()
    assert (ob.source_key, ob.recurrence_months, ob.assigned_at is not None) == (f"rule:{fast.pk}", 12, True)
    rules_materialise(fast)  # and recomputing finds them
    assert fast.obligations.count() == 2


def test_hr_import_of_a_new_hire_assigns_onboarding_at_once_and_a_failed_import_assigns_nothing(
    make_rule, django_capture_on_commit_callbacks
):
    import io

    from people import importing as imp

    DepartmentFactory(code="D01", name="客戶服務一組"), PositionFactory(code="P01", name="客戶服務主任")
    rule = make_rule("入職培訓", audience_hired_on_or_after=datetime.date(2026, 1, 1), due_kind="after_hire")
    header = "employee_number,name,email,department,position,supervisor_employee_number,hire_date,active"

    def run(*lines):
        content = "\r\n".join([header, *lines]).encode()
        return imp.staff_import(imp.parse_staff_file(io.BytesIO(content), "staff.csv"))

    with pytest.raises(imp.StaffImportError):  # a bad second line: the whole file is refused
        run(
            "E900,葉思朗,e900@bank.example,D01,P01,,2026-12-01,1",
            "E901,X,x@bank.example,D99,P01,,2026-12-01,1",
        )
    assert not rule.obligations.exists()
    with django_capture_on_commit_callbacks(execute=True):  # assigned as the import commits
        run("E900,葉思朗,e900@bank.example,D01,P01,,2026-12-01,1")
    assert rule.obligations.get().due_date == datetime.date(2026, 12, 31)


def test_a_rule_assigns_on_the_first_and_the_last_day_of_its_window(make_staff, make_rule):
    make_staff("a")
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    assert owed(make_rule("從今天起", audience_all=True, active_from=today)) == {"a"}
    assert owed(make_rule("到今天止", audience_all=True, active_until=today)) == {"a"}
    assert owed(make_rule("昨天已止", audience_all=True, active_until=today - day)) == set()
    later = make_rule(
        "十天後", audience_all=True, active_from=today + 10 * day, active_until=today + 20 * day
    )
    assert [later.in_window(today + n * day) for n in (9, 10, 20, 21)] == [False, True, True, False]


def test_a_fixed_date_left_on_a_rule_due_after_assignment_is_not_its_due_date(make_staff, make_rule):
    make_staff("a")
    rule = make_rule(
        audience_all=True, due_kind="after_assignment", due_days=10, due_date=datetime.date(2027, 3, 31)
    )
    assert rule.obligations.get().due_date == timezone.localdate() + datetime.timedelta(days=10)


def test_recomputing_counts_what_changed_and_a_withdrawn_row_says_why(make_staff, make_rule):
    a, b = make_staff("a"), make_staff("b")
    rule = make_rule(people=[a, b])
    assert rules_materialise(rule) == Changes(created=0, withdrawn=0, updated=0)  # nothing to do
    rule.audience_people.set([a])
    assert rules_materialise(rule) == Changes(created=0, withdrawn=1, updated=0)
    rule.is_active = False
    rule.save()
    assert rules_materialise(rule) == Changes(created=0, withdrawn=1, updated=0)
    assert sorted(rule.obligations.values_list("person__user__username", "status", "withdrawn_reason")) == [
        ("a", Status.WITHDRAWN, "rule switched off"),
        ("b", Status.WITHDRAWN, "left the audience"),
    ]


@pytest.mark.parametrize("fast", [False, True], ids=["row by row", "one statement"])
def test_an_obligation_already_past_its_due_date_is_overdue_from_the_start(
    make_staff, make_rule, monkeypatch, fast
):
    from assignments import services

    make_staff("a", hire_date=datetime.date(2026, 1, 5))
    if fast:
        monkeypatch.setattr(services, "FAST_INSERT_FROM", 0)
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    cases = {
        "昨天到期": ({"due_kind": "fixed", "due_date": today - day}, today - day, Status.OVERDUE),
        "今天到期": ({"due_kind": "fixed", "due_date": today}, today, Status.NOT_STARTED),
        "派發後十天": (
            {"due_kind": "after_assignment", "due_days": 10},
            today + 10 * day,
            Status.NOT_STARTED,
        ),
        "入職後三十天": (
            {"due_kind": "after_hire", "due_days": 30},
            datetime.date(2026, 2, 4),
            Status.OVERDUE if today > datetime.date(2026, 2, 4) else Status.NOT_STARTED,
        ),
    }
    for name, (fields, due, status) in cases.items():
        ob = make_rule(name, audience_all=True, **fields).obligations.get()
        assert (name, ob.due_date, ob.status) == (name, due, status)
