"""kb's acknowledgements in the obligation table: created on publish, superseded by a new version,
fulfilled by acknowledging in the same transaction, read back by kb's pages."""

import datetime

import pytest
from django.db import transaction

from assignments.models import Obligation, Status
from kb.selectors import acknowledgement_rows, owed_rows, owed_status, pending_owed
from kb.services import acknowledge
from ledger.models import Record
from tests.factories import DepartmentFactory
from tests.kb.fixtures import publish_change


def test_publish_creates_acknowledgements_owed_by_the_audience(make_procedure, make_staff):
    hotline = DepartmentFactory(code="HL")
    inside = make_staff("inside", department=hotline)
    make_staff("outside")
    page = make_procedure(audience_all=False, publish=False)
    page.audience_departments.set([hotline])
    page.save_revision().publish()
    [ob] = Obligation.objects.filter(target_id=page.pk)
    assert ob.person == inside and ob.cycle == 1 and ob.source == "audience"
    assert ob.target_key == "kb.procedure" and ob.title.startswith(page.code)
    [row] = acknowledgement_rows([inside], [page])
    assert ob.due_date == row.due_date


def test_acknowledging_fulfils_in_the_same_transaction(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    ack, _ = acknowledge(user=person.user, page=page, version_number=1)
    ob = Obligation.objects.get(person=person, target_id=page.pk)
    assert ob.status == Status.COMPLETED_ON_TIME
    assert ob.record_id == ack.record_id and ob.completed_at == ack.acknowledged_at
    assert pending_owed(person.user, person) == []


def test_a_failed_obligation_write_rolls_the_acknowledgement_back(make_procedure, make_staff, monkeypatch):
    page = make_procedure()
    person = make_staff("reader")
    records = Record.objects.count()

    def boom(**kwargs):
        raise RuntimeError("obligation table unavailable")

    monkeypatch.setattr("kb.services.obligation_fulfil", boom)
    with pytest.raises(RuntimeError), transaction.atomic():
        acknowledge(user=person.user, page=page, version_number=1)
    assert Record.objects.count() == records
    assert Obligation.objects.get(person=person).status == Status.NOT_STARTED


def test_a_material_version_supersedes_open_ones_and_keeps_completed(make_procedure, make_staff):
    page = make_procedure()
    done = make_staff("done")
    make_staff("waiting")
    acknowledge(user=done.user, page=page, version_number=1)
    page = publish_change(page, change_summary="新增傳媒查詢升級步驟。")
    rows = {
        (ob.person.user.username, ob.cycle): ob.status for ob in Obligation.objects.filter(target_id=page.pk)
    }
    owner = page.content_owner.user.username
    assert rows == {
        ("done", 1): Status.COMPLETED_ON_TIME,
        ("done", 2): Status.NOT_STARTED,
        ("waiting", 1): Status.WITHDRAWN,
        ("waiting", 2): Status.NOT_STARTED,
        (owner, 1): Status.WITHDRAWN,
        (owner, 2): Status.NOT_STARTED,
    }
    assert [row.version.number for row in pending_owed(done.user, done)] == [2]


def test_a_minor_change_owes_nothing_new(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    acknowledge(user=person.user, page=page, version_number=1)
    publish_change(page, change_summary="更正錯別字。", is_minor_change=True)
    assert pending_owed(person.user, person) == []
    assert Obligation.objects.filter(person=person).count() == 1


def test_unpublishing_withdraws(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    page.unpublish()
    assert Obligation.objects.get(person=person).status == Status.WITHDRAWN
    assert pending_owed(person.user, person) == []


def test_new_joiner_of_the_audience_owes_at_once_from_their_hire_date(make_procedure, make_staff):
    page = make_procedure(ack_due_days=14)
    hire = datetime.date.today() + datetime.timedelta(days=3)
    newbie = make_staff("newbie", hire_date=hire)
    [row] = pending_owed(newbie.user, newbie)
    assert row.page.pk == page.pk and row.due_date == hire + datetime.timedelta(days=14)


def test_department_change_moves_acknowledgements(make_procedure, make_staff):
    hotline, branch = DepartmentFactory(code="HL"), DepartmentFactory(code="BR")
    page = make_procedure(audience_all=False, publish=False)
    page.audience_departments.set([hotline])
    page.save_revision().publish()
    person = make_staff("mover", department=branch)
    assert pending_owed(person.user, person) == []
    person.department = hotline
    person.save()
    assert len(pending_owed(person.user, person)) == 1
    person.department = branch
    person.save()
    assert pending_owed(person.user, person) == []
    assert Obligation.objects.get(person=person).status == Status.WITHDRAWN


def test_the_table_agrees_with_the_computation(make_procedure, make_regulation, make_staff):
    people = [make_staff(f"s{n}") for n in range(3)]
    first = make_procedure("SOP-CS-001")
    make_procedure("SOP-CS-002")
    make_regulation()
    acknowledge(user=people[0].user, page=first, version_number=1)
    old = {
        (r.person.pk, r.page.pk, r.version.number, r.due_date, r.status) for r in acknowledgement_rows(people)
    }
    new = {(r.person.pk, r.page.pk, r.version.number, r.due_date, r.status) for r in owed_rows(people)}
    assert old == new and len(old) == 9
    status = owed_status(people)
    assert (status[people[0].pk].pending, status[people[1].pk].pending) == (2, 3)


def test_team_status_is_one_query_for_any_team(make_procedure, make_staff, django_assert_num_queries):
    make_procedure()
    team = [make_staff(f"s{n}") for n in range(3)]
    with django_assert_num_queries(1):
        owed_status(team)
    bigger = [*team, *(make_staff(f"t{n}") for n in range(5))]
    with django_assert_num_queries(1):
        owed_status(bigger)


def test_a_page_assigned_by_a_rule_too_is_listed_once(make_procedure, make_staff, make_rule, login):
    from tests.factories import DepartmentFactory as Dept

    hotline, branch = Dept(code="HL"), Dept(code="BR")
    page = make_procedure(audience_all=False, publish=False)
    page.audience_departments.set([hotline])
    page.save_revision().publish()
    inside = make_staff("inside", department=hotline, groups=["Staff"])
    outside = make_staff("outside", department=branch, groups=["Staff"])
    make_rule("兩部門都要讀", target=page, departments=[hotline, branch], due_days=5)
    assert len(owed_rows([inside, outside])) == 1  # kb's reports: the page's own audience only
    assert owed_status([inside])[inside.pk].pending == 1
    for person in (inside, outside):
        response = login(person.user).get("/")
        assert response.context["ack_count"] == 1
        assert response.content.decode().count(page.code) == 1
    acknowledge(user=outside.user, page=page, version_number=1)  # fulfils the rule's row too
    assert Obligation.objects.get(person=outside).status == Status.COMPLETED_ON_TIME


def test_acknowledging_a_new_version_fulfils_a_rule_that_assigned_the_page_before_it(
    make_procedure, make_staff, make_rule
):
    page = make_procedure()
    person = make_staff("reader")
    rule = make_rule("必讀程序", target=page, people=[person], due_days=5)
    page = publish_change(page, change_summary="新增傳媒查詢升級步驟。")
    acknowledge(user=person.user, page=page, version_number=2)  # the rule's row is cycle 1 (its recurrence)
    assert rule.obligations.get().status == Status.COMPLETED_ON_TIME
    assert set(
        Obligation.objects.filter(person=person, source="audience").values_list("cycle", "status")
    ) == {
        (1, Status.WITHDRAWN),
        (2, Status.COMPLETED_ON_TIME),
    }


def test_auditors_owe_nothing_and_joining_audit_withdraws_at_once(make_procedure, make_staff):
    """An auditor cannot acknowledge (docs/roles/auditor.md), so nothing is owed by them: no obligation on
    publish, and a person who joins the Auditor group has their open obligations withdrawn in the same
    transaction (and owed again when they leave it)."""
    from django.contrib.auth.models import Group

    auditor = make_staff("auditor", groups=["Staff", "Auditor"])
    moving = make_staff("moving", groups=["Staff"])
    page = make_procedure()
    owing = Obligation.objects.filter(target_id=page.pk, person__in=[auditor, moving])
    assert list(owing.values_list("person", "status")) == [(moving.pk, Status.NOT_STARTED)]
    assert acknowledgement_rows([auditor], [page]) == []
    moving.user.groups.add(Group.objects.get(name="Auditor"))
    statuses = Obligation.objects.filter(person=moving).values_list("status", flat=True)
    assert list(statuses) == [Status.WITHDRAWN]
    assert not Obligation.objects.filter(person=auditor).exists()
    moving.user.groups.remove(Group.objects.get(name="Auditor"))
    assert Obligation.objects.filter(person=moving, status=Status.NOT_STARTED).count() == 1
