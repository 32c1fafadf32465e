from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ledger.models import Record
from ledger.services import ledger_verify, record_correct
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("verify_records", *args, stdout=out)
    return out.getvalue()


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def ledger(append) -> list[Record]:
    return [append(title=f"程序 {n}", page_id=n) for n in range(1, 11)]


def test_intact_ledger_exits_zero_and_prints_the_count(ledger):
    output = run("--batch-size", "3")  # several pages of the keyset walk
    head = ledger[-1]
    assert output.strip() == f"Ledger intact: 10 records, head seq 10, head hash {head.hash}"


def test_empty_ledger_is_intact():
    assert run().strip() == "Ledger intact: 0 records (empty ledger)."


def test_edited_row_is_named(ledger):
    sql("UPDATE ledger_record SET title = %s WHERE seq = 5", ["已竄改"])
    with pytest.raises(CommandError) as caught:
        run()
    message = str(caught.value)
    assert caught.value.returncode == 1
    assert message.startswith(f"Ledger BROKEN at seq 5 (id {ledger[4].pk}): hash mismatch (row edited)")
    assert "kind acknowledgement, actor alice (陳美玲)" in message
    assert "4 records before it verified" in message


def test_edited_score_is_detected(append):
    append()
    append(kind="quiz_attempt", outcome="failed", score=40)
    append()
    sql("UPDATE ledger_record SET score = 90, outcome = 'passed' WHERE seq = 2")
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 2, "hash mismatch (row edited)")


def test_edited_and_rehashed_row_breaks_the_next_link(ledger):
    """A forger who recomputes the edited row's hash is caught at the next record."""
    edited = Record.objects.get(seq=5)
    edited.title = "已竄改"
    sql("UPDATE ledger_record SET title = %s, hash = %s WHERE seq = 5", ["已竄改", edited.compute_hash()])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 6, 5)
    assert result.reason.startswith("prev_hash does not match previous record")


def test_deleted_row_is_a_gap(ledger):
    sql("DELETE FROM ledger_record WHERE seq = 7")
    with pytest.raises(CommandError, match=r"at seq 8 .*seq gap: expected 7, found 8 \(row deleted\)"):
        run()


def test_swapped_rows_are_detected(ledger):
    sql("UPDATE ledger_record SET seq = 1000 WHERE seq = 3")
    sql("UPDATE ledger_record SET seq = 3 WHERE seq = 4")
    sql("UPDATE ledger_record SET seq = 4 WHERE seq = 1000")
    with pytest.raises(CommandError, match=r"at seq 3 .*prev_hash does not match previous record"):
        run()


def test_forged_row_with_a_wrong_prev_hash_is_detected(ledger):
    """Copy a real row's structure (valid-looking hash) into the middle of the chain."""
    # Shift the tail up by one (highest first, so the unique index never clashes), then insert a forgery.
    for seq in range(10, 5, -1):
        sql("UPDATE ledger_record SET seq = %s WHERE seq = %s", [seq + 1, seq])
    sql(
        """
        INSERT INTO ledger_record (seq, kind, actor_id, actor_user_id, actor_username, actor_name,
            actor_employee_number, subject_type, page_id, revision_id, title, outcome, score, data,
            occurred_at, recorded_at, corrects_id, prev_hash, hash)
        SELECT 6, kind, actor_id, actor_user_id, actor_username, actor_name, actor_employee_number,
            subject_type, page_id, revision_id, '偽造', outcome, score, data, occurred_at, recorded_at,
            corrects_id, %s, hash
        FROM ledger_record WHERE seq = 2
        """,
        ["ab" * 32],
    )
    with pytest.raises(CommandError, match=r"at seq 6 .*prev_hash does not match previous record"):
        run()


def test_forged_row_appended_with_the_right_prev_hash_but_made_up_hash(ledger):
    sql(
        """
        INSERT INTO ledger_record (seq, kind, actor_id, actor_user_id, actor_username, actor_name,
            actor_employee_number, subject_type, page_id, revision_id, title, outcome, score, data,
            occurred_at, recorded_at, corrects_id, prev_hash, hash)
        SELECT 11, kind, actor_id, actor_user_id, actor_username, actor_name, actor_employee_number,
            subject_type, page_id, revision_id, '偽造', outcome, score, data, occurred_at, recorded_at,
            corrects_id, hash, %s
        FROM ledger_record WHERE seq = 10
        """,
        ["cd" * 32],
    )
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 11, "hash mismatch (row edited)")


def test_reassigned_actor_is_detected(ledger, make_staff):
    other = make_staff("bob")
    sql("UPDATE ledger_record SET actor_id = %s WHERE seq = 4", [other.user.pk])
    result = ledger_verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert (
        result.reason
        == f"actor {other.user.pk} is not the recorded actor {ledger[0].actor_user_id} (row edited)"
    )


def test_repointed_correction_is_detected(append):
    first, second = append(), append()
    record_correct(first, by=UserFactory(username="officer"), reason="wrong page", page_id=1)
    sql("UPDATE ledger_record SET corrects_id = %s WHERE seq = 3", [second.pk])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 3, "hash mismatch (row edited)")


def test_verification_stops_at_the_first_bad_record(ledger):
    sql("UPDATE ledger_record SET title = 'x' WHERE seq IN (3, 8)")
    sql("DELETE FROM ledger_record WHERE seq = 9")
    result = ledger_verify(batch_size=4)
    assert (result.ok, result.bad_seq, result.checked, result.head_seq) == (False, 3, 2, 2)
