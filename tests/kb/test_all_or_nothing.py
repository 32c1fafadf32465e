"""kb's evidence is written together with its own rows or not at all (issue 15 item 4).

Each operation runs with its LAST database write failing (tests/halfway.py: whatever that write is, a ledger
record, an acknowledgement row or a log entry); afterwards the database is exactly as before.
"""

from __future__ import annotations

import pytest

from kb.models import ProcedurePage
from kb.services import acknowledge, procedure_mark_reviewed
from ledger.verification import ledger_verify
from tests.halfway import changed_tables, database_snapshot, fail_on_last_write


@pytest.fixture
def people(make_staff):
    return {
        "editor": make_staff("editor", groups=["Staff", "Content editor"]).user,
        "compliance": make_staff("compliance", groups=["Staff", "Compliance officer"]).user,
        "reader": make_staff("reader", groups=["Staff"]).user,
    }


def submitted(page: ProcedurePage, user) -> ProcedurePage:
    page = ProcedurePage.objects.get(pk=page.pk)
    page.change_summary = "回覆期限改為 7 個工作天。"
    page.save_revision(user=user)
    page.get_workflow().start(page, user)
    return ProcedurePage.objects.get(pk=page.pk)


def assert_nothing_left(before) -> None:
    assert changed_tables(before, database_snapshot()) == []
    assert ledger_verify().ok


def test_acknowledgement_and_its_record(make_procedure, people):
    page = make_procedure()
    before = database_snapshot()
    assert fail_on_last_write(lambda: acknowledge(user=people["reader"], page=page, version_number=1)) >= 1
    assert_nothing_left(before)
    ack, created = acknowledge(user=people["reader"], page=page, version_number=1)  # works again after
    assert created and ack.record.data["version"] == "1"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_approval_decision_and_its_record(make_procedure, people, decision):
    page = submitted(make_procedure(), people["editor"])
    state = page.current_workflow_task_state
    before = database_snapshot()

    def decide():
        fresh = type(state).objects.get(pk=state.pk)
        fresh.task.specific.on_action(fresh, people["compliance"], decision, comment="已核對條文。")

    assert fail_on_last_write(decide) >= 2  # the task state and more were written before the last write
    assert_nothing_left(before)
    state.refresh_from_db()
    assert state.status == "in_progress"


def test_review_no_change_and_its_record(make_procedure, people):
    page = make_procedure()
    before = database_snapshot()

    def review():
        procedure_mark_reviewed(user=people["compliance"], page=page, comment="條文未變，內容仍然適用。")

    assert fail_on_last_write(review) >= 1
    assert_nothing_left(before)


def test_publishing_a_version_and_its_version_row(make_procedure, people):
    """Wagtail saves the page, then kb writes the version (page_published), then Wagtail logs: one unit."""
    page = ProcedurePage.objects.get(pk=make_procedure().pk)
    page.change_summary = "新增傳媒查詢升級步驟。"
    revision = page.save_revision()
    before = database_snapshot()

    assert fail_on_last_write(lambda: type(revision).objects.get(pk=revision.pk).publish()) >= 2

    assert_nothing_left(before)
    assert ProcedurePage.objects.get(pk=page.pk).live_revision_id != revision.pk
