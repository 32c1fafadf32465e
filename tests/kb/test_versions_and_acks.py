"""Versions, material vs minor changes, acknowledgements, audience."""

import datetime

import pytest
from django.utils import timezone

from kb.models import Acknowledgement, PublishedVersion
from kb.selectors import pending_acknowledgements
from kb.services import ACK_SUPERSEDED, AcknowledgementError, acknowledge
from ledger.models import Record
from tests.kb.fixtures import publish_change


def test_first_publish_is_version_1(make_procedure):
    page = make_procedure()
    [version] = PublishedVersion.objects.filter(page_id=page.pk)
    assert (version.number, version.minor, version.is_material) == (1, 0, True)
    assert version.revision_id == page.live_revision_id
    assert version.change_summary == "首次發布。"


def test_material_change_bumps_version_minor_keeps_it(make_procedure):
    page = make_procedure()
    page = publish_change(page, change_summary="回覆期限改為 7 個工作天。")
    page = publish_change(page, change_summary="更正錯別字。", is_minor_change=True)
    labels = list(
        PublishedVersion.objects.filter(page_id=page.pk).order_by("pk").values_list("number", "minor")
    )
    assert labels == [(1, 0), (2, 0), (2, 1)]


def test_minor_changes_in_a_row_count_up_from_the_latest(make_procedure):
    """The latest version is the highest minor of the highest number: 1.2 follows 1.1, not 1 again."""
    from kb.selectors import latest_version, versions_of

    page = make_procedure()
    page = publish_change(page, change_summary="更正錯別字。", is_minor_change=True)
    page = publish_change(page, change_summary="更正標點。", is_minor_change=True)
    assert latest_version(page).label == "1.2"
    assert [v.label for v in versions_of(page)] == ["1.2", "1.1", "1"]


def test_acknowledge_writes_one_ledger_record_and_is_idempotent(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    ack, created = acknowledge(user=person.user, page=page, version_number=1)
    assert created
    again, created_again = acknowledge(user=person.user, page=page, version_number=1)
    assert not created_again and again.pk == ack.pk
    records = Record.objects.filter(page_id=page.pk, kind="acknowledgement")
    assert records.count() == 1
    record = records.get()
    assert record.revision_id == page.live_revision_id
    assert record.actor_id == person.user_id
    assert record.data["version"] == "1"


def test_minor_change_keeps_acknowledgement_material_change_asks_again(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    acknowledge(user=person.user, page=page, version_number=1)
    page = publish_change(page, change_summary="更正錯別字。", is_minor_change=True)
    assert pending_acknowledgements(person.user, person) == []
    page = publish_change(page, change_summary="新增傳媒查詢升級步驟。", is_minor_change=False)
    [pending] = pending_acknowledgements(person.user, person)
    assert pending.page.pk == page.pk and pending.version.number == 2


def test_acknowledging_a_superseded_version_is_refused_and_writes_nothing(make_procedure, make_staff):
    page = make_procedure()
    page = publish_change(page, change_summary="回覆期限改為 7 個工作天。")
    person = make_staff("reader")
    before = Record.objects.count()
    with pytest.raises(AcknowledgementError) as excinfo:
        acknowledge(user=person.user, page=page, version_number=1)
    assert str(excinfo.value) == str(ACK_SUPERSEDED % {"asked": 1, "current": "2"})
    assert Record.objects.count() == before
    assert not Acknowledgement.objects.exists()


def test_future_version_is_announced_not_in_force(make_procedure, make_staff):
    page = make_procedure()
    future = timezone.localdate() + datetime.timedelta(days=30)
    page = publish_change(page, change_summary="新規生效：冷靜期。", effective_date=future)
    person = make_staff("reader")
    [pending] = pending_acknowledgements(person.user, person)
    assert pending.version.number == 1  # the version in force, not the upcoming one
    with pytest.raises(AcknowledgementError):
        acknowledge(user=person.user, page=page, version_number=2)


def test_audience_by_department_and_position(make_procedure, make_staff):
    from tests.factories import DepartmentFactory, PositionFactory

    hotline, branch = DepartmentFactory(code="PB"), DepartmentFactory(code="BR")
    officer, assistant = PositionFactory(code="CSO"), PositionFactory(code="CSA")
    page = make_procedure(audience_all=False, publish=False)
    page.audience_departments.set([hotline])
    page.audience_positions.set([officer])
    page.save_revision().publish()
    inside = make_staff("inside", department=hotline, position=officer)
    wrong_dept = make_staff("wrong_dept", department=branch, position=officer)
    wrong_pos = make_staff("wrong_pos", department=hotline, position=assistant)
    assert len(pending_acknowledgements(inside.user, inside)) == 1
    assert pending_acknowledgements(wrong_dept.user, wrong_dept) == []
    assert pending_acknowledgements(wrong_pos.user, wrong_pos) == []


def test_due_date_counts_from_effective_date_or_hire_date(make_procedure, make_staff):
    page = make_procedure(ack_due_days=14, effective_date=datetime.date(2026, 1, 1))
    version = PublishedVersion.objects.get(page_id=page.pk)
    published = timezone.localdate(version.published_at)
    old_hand = make_staff("old_hand", hire_date=datetime.date(2020, 1, 1))
    new_hire = make_staff("new_hire", hire_date=published + datetime.timedelta(days=3))
    [old_item] = pending_acknowledgements(old_hand.user, old_hand)
    [new_item] = pending_acknowledgements(new_hire.user, new_hire)
    assert old_item.due_date == published + datetime.timedelta(days=14)
    assert new_item.due_date == published + datetime.timedelta(days=17)


def test_deleting_the_page_keeps_versions_acks_and_records(make_procedure, make_staff):
    page = make_procedure()
    person = make_staff("reader")
    acknowledge(user=person.user, page=page, version_number=1)
    page_id = page.pk
    page.delete()
    assert PublishedVersion.objects.filter(page_id=page_id).count() == 1
    assert Acknowledgement.objects.filter(page_id=page_id).count() == 1
    assert Record.objects.filter(page_id=page_id).get().title == "SOP-CS-003 客戶投訴處理程序"


def test_python_audience_check_agrees_with_the_sql_one(make_procedure, make_staff):
    import itertools

    from kb.models import ProcedurePage
    from people.audience import Audience
    from tests.factories import DepartmentFactory, PositionFactory
    from tests.kb.fixtures import in_audience

    depts = [DepartmentFactory(code="D1"), DepartmentFactory(code="D2")]
    positions = [PositionFactory(code="P1"), PositionFactory(code="P2")]
    people = [
        make_staff(f"p{i}", department=d, position=p, is_active=active)
        for i, (d, p, active) in enumerate(itertools.product(depts, positions, [True, False]))
    ]
    cases = [
        (True, [], []),
        (False, [], []),
        (False, depts[:1], []),
        (False, [], positions[1:]),
        (False, depts[:1], positions[:1]),
    ]
    for n, (everyone, ds, ps) in enumerate(cases):
        page = make_procedure(f"SOP-AUD-{n}", publish=False, audience_all=everyone)
        page.audience_departments.set(ds)
        page.audience_positions.set(ps)
        page.save_revision().publish()
        page = ProcedurePage.objects.prefetch_related("audience_departments", "audience_positions").get(
            pk=page.pk
        )
        for person in people:
            assert Audience.of(page).matches(person) == in_audience(page, person), (n, person.user.username)


def test_team_status_is_a_fixed_number_of_queries(make_procedure, make_staff, django_assert_max_num_queries):
    from kb.selectors import acknowledgement_status

    page = make_procedure()
    team = [make_staff(f"t{n}") for n in range(3)]
    acknowledge(user=team[0].user, page=page, version_number=1)
    with django_assert_max_num_queries(20) as small:
        status = acknowledgement_status(team)
    assert status[team[0].pk].pending + status[team[0].pk].overdue == 0
    assert status[team[1].pk].pending + status[team[1].pk].overdue == 1
    bigger = team + [make_staff(f"u{n}") for n in range(30)]
    with django_assert_max_num_queries(len(small.captured_queries)):
        acknowledgement_status(bigger)


def test_each_person_page_and_version_is_acknowledged_on_its_own(make_procedure, make_staff):
    """A colleague's acknowledgement, one of another procedure or of the previous version is not yours."""
    page = make_procedure()
    other_page = make_procedure("SOP-CS-099", title="另一程序")
    person, colleague = make_staff("reader"), make_staff("colleague")
    mine, created = acknowledge(user=person.user, page=page, version_number=1)
    assert created
    theirs, created = acknowledge(user=colleague.user, page=page, version_number=1)
    assert created and theirs.user_id == colleague.user_id and theirs.pk != mine.pk
    other, created = acknowledge(user=person.user, page=other_page, version_number=1)
    assert created and other.page_id == other_page.pk
    page = publish_change(page, change_summary="回覆期限改為 7 個工作天。")
    second, created = acknowledge(user=person.user, page=page, version_number=2)
    assert created and second.version_number == 2
    assert Acknowledgement.objects.count() == 4
    assert Record.objects.filter(kind="acknowledgement").count() == 4


def test_refusals_say_why(make_procedure, make_staff):
    from kb.services import ACK_NOT_IN_FORCE, ACK_READ_ONLY

    page = make_procedure()
    auditor = make_staff("auditor", groups=["Staff", "Auditor"])
    with pytest.raises(AcknowledgementError) as excinfo:
        acknowledge(user=auditor.user, page=page, version_number=1)
    assert str(excinfo.value) == str(ACK_READ_ONLY)
    draft = make_procedure("SOP-CS-099", title="未發布程序", publish=False)
    with pytest.raises(AcknowledgementError) as excinfo:
        acknowledge(user=make_staff("reader").user, page=draft, version_number=1)
    assert str(excinfo.value) == str(ACK_NOT_IN_FORCE)
    assert not Record.objects.filter(kind="acknowledgement").exists()


def test_someone_without_a_staff_profile_is_due_from_the_version(make_procedure, superuser):
    """A bare superuser has no hire date: the due date counts from the effective or publication date."""
    page = make_procedure(ack_due_days=14, effective_date=datetime.date(2026, 1, 1))
    version = PublishedVersion.objects.get(page_id=page.pk)
    due = timezone.localdate(version.published_at) + datetime.timedelta(days=14)
    ack, created = acknowledge(user=superuser, page=page, version_number=1)
    assert created and ack.due_date == due and ack.on_time is True
    assert ack.record.data == {"version": "1", "due": due.isoformat(), "on_time": True}


def test_a_double_click_that_loses_the_race_returns_the_first_acknowledgement(
    make_procedure, make_staff, monkeypatch
):
    """The second request finds no acknowledgement, then the first one commits before the second writes: the
    second's record is rolled back and it returns the first's acknowledgement (not another one of the same
    person, page or version)."""
    import kb.services
    from ledger.verification import ledger_verify

    page = make_procedure()
    other_page = make_procedure("SOP-CS-099", title="另一程序")
    person, colleague = make_staff("reader"), make_staff("colleague")
    acknowledge(user=person.user, page=page, version_number=1)
    page = publish_change(page, change_summary="回覆期限改為 7 個工作天。")
    other_page = publish_change(other_page, change_summary="第 2 版。")
    acknowledge(user=colleague.user, page=page, version_number=2)
    acknowledge(user=person.user, page=other_page, version_number=2)
    records_before = Record.objects.count()
    real_profile_for = kb.services.profile_for
    first_click = []

    def first_click_commits_meanwhile(user):
        monkeypatch.setattr(kb.services, "profile_for", real_profile_for)
        first_click.append(acknowledge(user=person.user, page=page, version_number=2)[0])
        return real_profile_for(user)

    monkeypatch.setattr(kb.services, "profile_for", first_click_commits_meanwhile)
    ack, created = acknowledge(user=person.user, page=page, version_number=2)
    assert (ack.pk, created) == (first_click[0].pk, False)
    assert (ack.user_id, ack.page_id, ack.version_number) == (person.user_id, page.pk, 2)
    assert Record.objects.count() == records_before + 1  # the first click's record only
    assert ledger_verify().ok


# --- Edges found by mutation testing ---


def _procedure_due_on(make_procedure, code: str, due: datetime.date):
    """A procedure published 60 days ago, in force since ``due`` - 7 days and due 7 days after that."""
    page = make_procedure(
        code, title=f"程序 {code}", effective_date=due - datetime.timedelta(days=7), ack_due_days=7
    )
    PublishedVersion.objects.filter(page_id=page.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=60)
    )
    return page


def test_team_status_counts_each_overdue_and_pending_item_once(make_procedure, make_staff):
    """Two overdue, two pending and one acknowledged: the team page's counts are 2 and 2, not "some"."""
    from kb.selectors import acknowledgement_status

    today = timezone.localdate()
    overdue = [
        _procedure_due_on(make_procedure, f"SOP-OD-{n}", today - datetime.timedelta(days=n)) for n in (1, 5)
    ]
    pending = [
        _procedure_due_on(make_procedure, f"SOP-PD-{n}", today + datetime.timedelta(days=n)) for n in (0, 3)
    ]
    done = _procedure_due_on(make_procedure, "SOP-DONE", today - datetime.timedelta(days=2))
    person = make_staff("reader", hire_date=datetime.date(2015, 1, 1))
    colleague = make_staff("colleague", hire_date=datetime.date(2015, 1, 1))
    acknowledge(user=person.user, page=done, version_number=1)
    for page in [*overdue, *pending]:
        acknowledge(user=colleague.user, page=page, version_number=1)
    status = acknowledgement_status([person, colleague])
    assert (status[person.pk].overdue, status[person.pk].pending) == (2, 2)
    assert (status[colleague.pk].overdue, status[colleague.pk].pending) == (1, 0)


def test_team_progress_counts_the_audience_in_the_team_and_who_is_still_waiting(make_procedure, make_staff):
    """A supervisor's view of a page: of the team, those in the page's audience; waiting: those who have not
    acknowledged the version in force (an acknowledgement of the version before does not count). Other pages
    the team owes are not counted."""
    from kb.selectors import team_progress
    from tests.factories import DepartmentFactory

    counter, back_office = DepartmentFactory(code="CS"), DepartmentFactory(code="BO")
    page = make_procedure(audience_all=False, publish=False)
    page.audience_departments.set([counter])
    page.save_revision().publish()
    early, late, never = (make_staff(name, department=counter) for name in ("early", "late", "never"))
    outside = make_staff("outside", department=back_office)
    acknowledge(user=late.user, page=page, version_number=1)
    page = publish_change(page, change_summary="新增核對步驟。")
    acknowledge(user=early.user, page=page, version_number=2)
    make_procedure("SOP-CS-099", title="另一程序")  # owed by all four, and not this page's business
    progress = team_progress(page, [early, late, never, outside])
    assert progress.addressed == 3
    assert progress.waiting == [late, never]
    assert progress.done == 1
    assert team_progress(page, []).addressed == 0


def test_home_list_is_soonest_due_first_then_by_reference_and_only_for_ones_own_profile(
    make_procedure, make_staff
):
    today = timezone.localdate()
    later = _procedure_due_on(make_procedure, "SOP-A-LATER", today + datetime.timedelta(days=6))
    second = _procedure_due_on(make_procedure, "SOP-C-SOON", today + datetime.timedelta(days=2))
    first = _procedure_due_on(make_procedure, "SOP-B-SOON", today + datetime.timedelta(days=2))
    person = make_staff("reader", hire_date=datetime.date(2015, 1, 1))
    rows = pending_acknowledgements(person.user, person)
    assert [row.page.pk for row in rows] == [first.pk, second.pk, later.pk]
    assert pending_acknowledgements(make_staff("colleague").user, person) == []
    assert pending_acknowledgements(person.user, None) == []


def test_what_is_owed_of_one_page_lists_that_page_only(make_procedure, make_staff):
    """The notification of a new version goes to those who owe THAT page (kb.signal_handlers)."""
    from kb.selectors import owed_acknowledgements

    page = make_procedure()
    other_page = make_procedure("SOP-CS-099", title="另一程序")
    person = make_staff("reader")
    assert [row.page.pk for row in owed_acknowledgements([person], [page])] == [page.pk]
    assert sorted(row.page.pk for row in owed_acknowledgements([person])) == sorted([page.pk, other_page.pk])


def test_a_page_outside_ones_audience_does_not_hide_the_pages_after_it(make_procedure, make_staff):
    from kb.selectors import acknowledgement_rows
    from tests.factories import DepartmentFactory

    counter, back_office = DepartmentFactory(code="CS"), DepartmentFactory(code="BO")
    counter_only = make_procedure("SOP-CS-001", publish=False, audience_all=False)
    counter_only.audience_departments.set([counter])
    counter_only.save_revision().publish()
    everyone = make_procedure("SOP-CS-002", title="全員程序")
    person = make_staff("back", department=back_office)
    assert [row.page.pk for row in acknowledgement_rows([person], [counter_only, everyone])] == [everyone.pk]
    assert [row.page.pk for row in acknowledgement_rows([person])] == [everyone.pk]
