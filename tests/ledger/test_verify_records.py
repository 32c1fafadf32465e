"""The tampering cases of docs/ledger.md, done in raw SQL as a DBA would, and what verify_records says."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ledger import derived
from ledger.anchors import anchor_append, anchor_file
from ledger.maintenance import ledger_maintenance
from ledger.models import Record
from ledger.services import record_correct
from ledger.verification import MAX_PROBLEMS, ledger_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL's column types refuse such values"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("verify_records", *args, stdout=out)
    return out.getvalue()


def broken(*args: str) -> str:
    """The command's error text; it must exit 1."""
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 1
    return str(caught.value)


def sql(statement: str, params: list | None = None) -> None:
    """Raw SQL as a DBA would run it, past the ledger's triggers (maintenance mode unlocks them)."""
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def ledger(append) -> list[Record]:
    return [append(title=f"程序 {n}", page_id=n) for n in range(1, 11)]


@pytest.fixture
def anchored(ledger) -> Path:
    """The ledger of ten with its head (seq 10) anchored in the configured file."""
    path = anchor_file()
    path.unlink(missing_ok=True)
    anchor_append(path)
    yield path
    path.unlink(missing_ok=True)


# --- intact -------------------------------------------------------------------------------------------------


def test_intact_ledger_exits_zero_and_prints_the_count(ledger):
    output = run("--batch-size", "3")  # several pages of the keyset walk
    head = ledger[-1]
    assert output.splitlines()[0] == f"Ledger intact: 10 records, head seq 10, head hash {head.hash}"
    assert "Anchors: no anchor file at" in output


def test_empty_ledger_is_intact():
    assert run("--no-anchors").splitlines() == [
        "Ledger intact: 0 records (empty ledger).",
        "Anchors: not checked (--no-anchors).",
    ]


def test_intact_ledger_with_its_anchor(anchored, ledger):
    output = run()
    assert f"Anchors: 1 of {anchored} checked, the latest seq 10 (" in output


# --- edits --------------------------------------------------------------------------------------------------


def test_edited_row_is_named(ledger):
    sql("UPDATE ledger_record SET title = %s WHERE seq = 5", ["已竄改"])
    message = broken()
    assert message.splitlines()[:2] == [
        "Ledger BROKEN: 1 problem",
        f"  seq 5 (id {ledger[4].pk}): hash mismatch (row edited) "
        f"[acknowledgement by alice (陳美玲), recorded {ledger[4].recorded_at.isoformat()}]",
    ]
    assert "the first 4 verified (last good seq 4" in message


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"on_time": true, "due": "2099-01-01"}'),
        ("occurred_at", "2020-01-01 00:00:00"),
        ("actor_name", "王大文"),
        ("score", 99),
        ("outcome", "passed"),
        ("actor_user_id", 999999),
    ],
)
def test_each_edited_field_is_a_hash_mismatch(ledger, column, value):
    sql(f"UPDATE ledger_record SET {column} = %s WHERE seq = 6", [value])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 6, "hash mismatch (row edited)")
    # The walk carries on from the edited row, and the rest verifies (a new actor_user_id also no longer
    # matches the actor link: a second problem of the same row).
    assert {problem.seq for problem in result.problems} == {6}


def test_edited_and_rehashed_row_breaks_the_next_link(ledger):
    """A forger who recomputes the edited row's hash is caught at the next record."""
    edited = Record.objects.get(seq=5)
    edited.title = "已竄改"
    sql("UPDATE ledger_record SET title = %s, hash = %s WHERE seq = 5", ["已竄改", edited.compute_hash()])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.verified) == (False, 6, 5)
    assert result.reason.startswith("prev_hash does not match previous record")


def test_edited_rehashed_and_next_prev_hash_patched_breaks_the_next_hash(ledger):
    """The next row's prev_hash is part of its hash: patching it is an edit of that row."""
    edited = Record.objects.get(seq=5)
    edited.title = "已竄改"
    new_hash = edited.compute_hash()
    sql("UPDATE ledger_record SET title = %s, hash = %s WHERE seq = 5", ["已竄改", new_hash])
    sql("UPDATE ledger_record SET prev_hash = %s WHERE seq = 6", [new_hash])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 6, "hash mismatch (row edited)")


def test_rewritten_history_is_caught_by_the_anchor(anchored, ledger):
    """Edit seq 3 and re-hash everything after it: a consistent chain, but not the anchored one."""
    sql("UPDATE ledger_record SET title = %s WHERE seq = 3", ["已竄改"])
    prev = Record.objects.get(seq=2).hash
    for seq in range(3, 11):
        record = Record.objects.get(seq=seq)
        record.prev_hash = prev
        prev = record.compute_hash()
        sql(
            "UPDATE ledger_record SET prev_hash = %s, hash = %s WHERE seq = %s", [record.prev_hash, prev, seq]
        )
    assert ledger_verify().ok  # without the anchor nothing shows
    message = broken()
    assert "anchor line 1 (seq 10, anchored " in message
    assert f"the record at seq 10 has hash {prev}, the anchor recorded {ledger[-1].hash}" in message


# --- deletions, insertions, reordering ----------------------------------------------------------------------


def test_deleted_row_is_a_gap(ledger):
    sql("DELETE FROM ledger_record WHERE seq = 7")
    assert "seq 8 (id " in broken()
    assert ledger_verify().reason == "seq gap: expected 7, found 8 (row deleted)"


def test_cut_tail_is_caught_by_the_anchor(anchored, ledger):
    sql("DELETE FROM ledger_record WHERE seq > 7")
    assert ledger_verify(anchors=None).ok  # a shorter chain is still a chain
    message = broken()
    assert message.splitlines()[1].startswith("  anchor line 1 (seq 10, anchored ")
    assert (
        f"the ledger ends at seq 7, but seq 10 was recorded with hash {ledger[-1].hash}: records after it "
        "were deleted (tail cut), or the ledger was emptied or replaced"
    ) in message


def test_emptied_ledger_is_caught_by_the_anchor(anchored, ledger):
    sql("DELETE FROM ledger_record")
    message = broken()
    assert "the ledger is empty, but seq 10 was recorded with hash" in message


def test_missing_anchored_row_in_the_middle(append, ledger):
    path = anchor_file()
    path.unlink(missing_ok=True)
    path.write_text(f"2026-11-30T16:05:00Z seq=5 hash={ledger[4].hash} canon=2\n")
    sql("DELETE FROM ledger_record WHERE seq = 5")
    message = broken()
    assert "anchor line 1 (seq 5, anchored 2026-11-30T16:05:00Z): seq 5 is missing from the ledger" in message
    path.unlink()


def test_swapped_rows_are_detected(ledger):
    sql("UPDATE ledger_record SET seq = 1000 WHERE seq = 3")
    sql("UPDATE ledger_record SET seq = 3 WHERE seq = 4")
    sql("UPDATE ledger_record SET seq = 4 WHERE seq = 1000")
    assert "seq 3 (id " in broken()
    assert ledger_verify().bad_seq == 3


def test_swapped_ids_are_detected(ledger):
    """Ids are not hashed, but they rise with seq; swapping two rows' ids breaks that."""
    three, four = ledger[2].pk, ledger[3].pk
    sql("UPDATE ledger_record SET id = %s WHERE seq = 3", [-three])
    sql("UPDATE ledger_record SET id = %s WHERE seq = 4", [three])
    sql("UPDATE ledger_record SET id = %s WHERE seq = 3", [four])
    result = ledger_verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert (
        result.reason
        == f"id {three} is not above the previous record's id {four} (ids swapped or renumbered)"
    )


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
    result = ledger_verify()
    assert (result.bad_seq, result.reason) == (6, result.problems[0].message)
    assert result.reason.startswith("prev_hash does not match previous record")


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


# --- the actor link and corrections -------------------------------------------------------------------------


def test_reassigned_actor_is_detected(ledger, make_staff):
    other = make_staff("bob")
    sql("UPDATE ledger_record SET actor_id = %s WHERE seq = 4", [other.user.pk])
    result = ledger_verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert (
        result.reason
        == f"actor {other.user.pk} is not the recorded actor {ledger[0].actor_user_id} (row edited)"
    )


def test_actor_unlinked_by_hand_is_detected(ledger):
    """The trigger lets actor_id = NULL through (Django's SET NULL); the user still exists, though."""
    with connection.cursor() as cursor:  # no maintenance mode needed: this is the one UPDATE allowed
        cursor.execute("UPDATE ledger_record SET actor_id = NULL WHERE seq = 4")
    result = ledger_verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert result.reason == (
        f"actor is NULL but user {ledger[0].actor_user_id} (alice) still exists "
        "(the link was cut by hand; it is only cleared when the user is deleted)"
    )


def test_repointed_correction_is_detected(append):
    first, second = append(), append()
    record_correct(first, by=UserFactory(username="officer"), reason="wrong page", page_id=1)
    sql("UPDATE ledger_record SET corrects_id = %s WHERE seq = 3", [second.pk])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 3, "hash mismatch (row edited)")


def test_every_independent_problem_is_listed(ledger):
    sql("UPDATE ledger_record SET title = 'x' WHERE seq IN (3, 8)")
    sql("DELETE FROM ledger_record WHERE seq = 9")
    result = ledger_verify(batch_size=4)
    assert [(p.seq, p.message) for p in result.problems] == [
        (3, "hash mismatch (row edited)"),
        (8, "hash mismatch (row edited)"),
        (10, "seq gap: expected 9, found 10 (row deleted)"),
    ]
    assert (result.checked, result.verified, result.good_seq, result.head_seq) == (9, 2, 2, 10)
    assert "Ledger BROKEN: 3 problems" in broken("--batch-size", "4")


def test_problems_beyond_the_cap_are_counted(ledger, monkeypatch):
    monkeypatch.setattr("ledger.verification.MAX_PROBLEMS", 2)
    sql("UPDATE ledger_record SET title = 'x' WHERE seq IN (2, 4, 6, 8)")
    result = ledger_verify()
    assert (len(result.problems), result.omitted) == (2, 2)
    assert "  … and 2 more" in broken()
    assert MAX_PROBLEMS >= 100


# --- malformed rows: reported with their seq, never a traceback ---------------------------------------------


def sql_unchecked(statement: str) -> None:
    """SQLite's CHECK (JSON_VALID) would refuse bad JSON; a DBA can switch CHECK constraints off."""
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(statement)
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


@sqlite_only
@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("title = CAST('程序' AS BLOB)", "title is stored as bytes (BLOB) b'"),
        ("score = 'lots'", "score is stored as text 'lots', not a number"),
        ("data = '{\"due\": '", "data is not valid JSON (stored as text '{\"due\": ')"),
        ("data = '[1, 2]'", "data is stored as list '[1, 2]', not a JSON object"),
        ("data = 'null'", "data is NULL, not a JSON object"),
        ("occurred_at = 'yesterday'", "occurred_at is stored as text 'yesterday', which cannot be read"),
        ("recorded_at = '2025-13-45 00:00:00'", "recorded_at is stored as text '2025-13-45 00:00:00', which"),
        ("page_id = 'forty-two'", "page_id is stored as text 'forty-two', not a whole number"),
        ("actor_user_id = 1.5", "actor_user_id is stored as float '1.5', not a whole number"),
    ],
)
def test_malformed_value_is_named_with_its_seq(ledger, assignment, expected):
    sql_unchecked(f"UPDATE ledger_record SET {assignment} WHERE seq = 5")
    message = broken()
    line = message.splitlines()[1]
    assert line.startswith("  seq 5: unreadable row: "), message
    assert expected in line
    assert "seq 6 (id" not in message  # the next link is not blamed for what it cannot check


@sqlite_only
def test_malformed_seq_is_reported(ledger):
    sql("UPDATE ledger_record SET seq = 'eleven' WHERE seq = 10")
    message = broken()
    assert "row with seq stored as text 'eleven': unreadable row: seq is stored as text 'eleven'" in message


@sqlite_only
def test_data_that_cannot_be_hashed_is_reported(ledger):
    sql_unchecked("""UPDATE ledger_record SET data = '{"score": NaN}' WHERE seq = 2""")
    result = ledger_verify()
    assert result.bad_seq == 2
    assert result.reason.startswith("cannot be hashed (Out of range float values are not JSON compliant")


# --- anchors and derived tables -----------------------------------------------------------------------------


def test_malformed_anchor_lines_are_reported(ledger, tmp_path):
    path = tmp_path / "anchors.txt"
    path.write_text(
        "# shipped to compliance daily\n"
        f"2026-11-30T16:05:00Z seq=10 hash={ledger[-1].hash} canon=2\n"
        "2026-12-01 seq=11 hash=abc canon=2\n"
        f"2026-12-01T16:05:00Z seq=x hash={ledger[-1].hash} canon=2\n"
    )
    message = broken("--anchors", str(path))
    assert f"anchor file {path} line 3: not an anchor line: starts with '2026-12-01'" in message
    assert f"anchor file {path} line 4: not an anchor line: seq= is missing" in message
    assert "Ledger BROKEN: 2 problems" in message


def test_anchors_of_an_earlier_canonical_form_are_skipped(ledger, tmp_path):
    path = tmp_path / "anchors.txt"
    path.write_text(f"2026-11-30T16:05:00Z seq=10 hash={'0' * 64} canon=1\n")
    assert "0 of " in run("--anchors", str(path))
    assert "1 of an earlier canonical form skipped" in run("--anchors", str(path))


def test_missing_anchor_file_given_on_the_command_line(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("--anchors", str(tmp_path / "nope.txt"))


def test_derived_table_problems_name_the_table_and_row(ledger, monkeypatch):
    def acks(using):
        yield "id 17 (user 5, page 20 v3)", "on_time is True, the record (seq 4) says False"

    def broken_checker(using):
        raise ValueError("no such column")

    monkeypatch.setattr(derived, "_checkers", {})
    derived.register("kb.acknowledgement", acks)
    derived.register("quizzes.attempt", broken_checker)
    message = broken()
    assert (
        "  kb.acknowledgement id 17 (user 5, page 20 v3): on_time is True, the record (seq 4) says False"
        in (message)
    )
    assert "  quizzes.attempt: could not be checked: ValueError: no such column" in message


# --- what each problem names (mutation survivors, docs/testing.md) -----------------------------------------


def test_batch_size_is_at_least_one(ledger):
    with pytest.raises(ValueError, match=r"^batch_size must be at least 1$"):
        ledger_verify(batch_size=0)
    result = ledger_verify(batch_size=1)  # one row a page
    assert (result.ok, result.checked, result.verified) == (True, 10, 10)
    assert (result.good_seq, result.good_hash) == (10, ledger[-1].hash)


def test_each_problem_names_its_seq_record_and_what_the_record_is(ledger, make_staff):
    other = make_staff("bob")
    sql("UPDATE ledger_record SET title = %s WHERE seq = 5", ["已竄改"])
    sql("UPDATE ledger_record SET actor_id = %s WHERE seq = 7", [other.user.pk])
    result = ledger_verify()

    def detail(record):
        return f"acknowledgement by alice (陳美玲), recorded {record.recorded_at.isoformat()}"

    assert [(p.seq, p.record_id, p.detail) for p in result.problems] == [
        (5, ledger[4].pk, detail(ledger[4])),
        (7, ledger[6].pk, detail(ledger[6])),
    ]
    assert (result.good_seq, result.good_hash) == (4, ledger[3].hash)


def test_a_broken_link_says_what_may_have_happened(ledger):
    edited = Record.objects.get(seq=5)
    edited.title = "已竄改"
    sql("UPDATE ledger_record SET title = %s, hash = %s WHERE seq = 5", ["已竄改", edited.compute_hash()])
    assert ledger_verify().reason == (
        "prev_hash does not match previous record "
        "(row inserted or reordered, or the previous row edited and re-hashed)"
    )


def test_an_actor_without_a_display_name_is_named_by_login(append):
    append()
    record = append(actor=UserFactory(username="root"))
    sql("UPDATE ledger_record SET title = %s WHERE seq = 2", ["已竄改"])
    [problem] = ledger_verify().problems
    assert problem.detail == f"acknowledgement by root, recorded {record.recorded_at.isoformat()}"


def test_an_anchor_file_that_cannot_be_read_is_a_problem(ledger, tmp_path):
    result = ledger_verify(anchors=tmp_path)  # a folder
    assert [(p.where, p.message) for p in result.problems] == [
        (f"anchor file {tmp_path}", "cannot be read: Is a directory")
    ]
    assert result.anchors.path == tmp_path


def test_anchors_checked_the_latest_and_the_skipped_are_counted(ledger, tmp_path):
    path = tmp_path / "anchors.txt"
    path.write_text(
        f"2026-11-29T16:05:00Z seq=10 hash={ledger[9].hash} canon=2\n"
        f"2026-11-30T16:05:00Z seq=3 hash={'0' * 64} canon=2\n"
        f"2026-11-28T16:05:00Z seq=2 hash={'0' * 64} canon=1\n"
    )
    result = ledger_verify(anchors=path)
    assert [(p.seq, p.record_id) for p in result.problems] == [(3, ledger[2].pk)]
    assert (result.anchors.checked, result.anchors.skipped_older, result.anchors.latest.seq) == (2, 1, 10)


# --- malformed rows in full (the survivors of docs/testing.md footnote 10) ---------------------------------


@sqlite_only
def test_every_unreadable_value_of_a_row_is_named_in_one_problem_with_its_seq(ledger):
    sql_unchecked("UPDATE ledger_record SET title = CAST('程序' AS BLOB), score = 'lots' WHERE seq = 5")
    result = ledger_verify()
    [problem] = result.problems
    assert (problem.where, problem.seq, problem.record_id) == ("seq 5", 5, None)
    assert problem.message == (
        "unreadable row: title is stored as bytes (BLOB) b'\\xe7\\xa8\\x8b\\xe5\\xba\\x8f', not text; "
        "score is stored as text 'lots', not a number"
    )
    assert (result.bad_seq, result.good_seq, result.checked, result.verified) == (5, 4, 10, 4)


@sqlite_only
def test_a_long_stored_value_is_quoted_to_its_first_40_characters(ledger):
    long_text, long_bytes = "n" * 50, "x" * 50
    sql_unchecked(
        f"UPDATE ledger_record SET score = '{long_text}', title = CAST('{long_bytes}' AS BLOB) WHERE seq = 5"
    )
    [problem] = ledger_verify().problems
    assert problem.message == (
        f"unreadable row: title is stored as bytes (BLOB) b'{'x' * 40}', not text; "
        f"score is stored as text '{'n' * 40}', not a number"
    )


@sqlite_only
def test_a_time_that_cannot_be_read_names_the_reason(ledger):
    sql_unchecked("UPDATE ledger_record SET occurred_at = 'yesterday' WHERE seq = 5")
    [problem] = ledger_verify().problems
    assert problem.message == (
        "unreadable row: occurred_at is stored as text 'yesterday', which cannot be read (AttributeError)"
    )


def test_a_correction_pointing_outside_the_ledger_is_named(append):
    first, second = append(), append()
    # a DBA with foreign keys switched off; the test puts the link back (Django checks it at teardown)
    sql("UPDATE ledger_record SET corrects_id = %s WHERE seq = 2", [987654])
    result = ledger_verify()
    sql("UPDATE ledger_record SET corrects_id = NULL WHERE seq = 2")
    assert [(p.seq, p.record_id, p.message) for p in result.problems] == [
        (2, second.pk, "corrects id 987654, which is not in the ledger (row deleted or edited)")
    ]
    assert first.seq == 1


def test_an_actor_unlinked_by_hand_is_found_among_other_actors_records(append, ledger):
    bob = UserFactory(username="bob")
    mine = append(actor=bob)
    with connection.cursor() as cursor:  # the one UPDATE the trigger allows
        cursor.execute("UPDATE ledger_record SET actor_id = NULL WHERE seq = %s", [mine.seq])
    result = ledger_verify()
    assert [(p.seq, p.message) for p in result.problems] == [
        (
            11,
            f"actor is NULL but user {bob.pk} (bob) still exists "
            "(the link was cut by hand; it is only cleared when the user is deleted)",
        )
    ]


@sqlite_only
def test_a_correction_of_a_row_whose_seq_is_unreadable_names_the_broken_link(ledger):
    correction = record_correct(ledger[0], by=UserFactory(username="officer"), reason="錯誤記錄", page_id=99)
    sql("UPDATE ledger_record SET seq = 'eleven' WHERE seq = 1")
    result = ledger_verify()
    assert [p.message for p in result.problems if p.seq == correction.seq] == [
        "hash mismatch (row edited)",
        f"corrects id {ledger[0].pk}, which is not in the ledger (row deleted or edited)",
    ]


def test_without_derived_checks_no_derived_table_is_named(ledger):
    result = ledger_verify(check_derived=False)
    assert (result.ok, result.derived) == (True, ())


@sqlite_only
def test_a_long_json_value_that_is_not_an_object_is_quoted_to_40_characters(ledger):
    sql_unchecked("UPDATE ledger_record SET data = '[" + "1, " * 30 + "1]' WHERE seq = 5")
    [problem] = ledger_verify().problems
    first_40 = "[" + "1, " * 13
    assert problem.message == f"unreadable row: data is stored as list '{first_40}', not a JSON object"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="only PostgreSQL's numeric column stores NaN")
def test_a_score_stored_as_nan_is_named_not_a_number(append):
    """A DBA can write 'NaN' into a numeric column; the walk names it instead of comparing NaN with scores."""
    [append(title=f"測驗 {n}", score="80.00") for n in range(1, 4)]
    sql("UPDATE ledger_record SET score = 'NaN' WHERE seq = 2")
    [problem] = ledger_verify().problems
    assert (problem.seq, problem.message) == (
        2,
        "unreadable row: score is stored as Decimal 'NaN', not a number",
    )
