"""The ORM paths and the database triggers that refuse to change ledger rows, and the ways past them."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import sql
from django.test import override_settings

from ledger.maintenance import ledger_maintenance
from ledger.models import LedgerImmutableError, Record
from ledger.verification import ledger_verify

pytestmark = pytest.mark.django_db

triggers = importlib.import_module("ledger.migrations.0004_refuse_update_delete_triggers")


def snapshot() -> list[dict]:
    return list(Record.objects.order_by("seq").values())


@pytest.fixture
def three(append):
    return [append(), append(title="第二份文件"), append(title="第三份文件")]


@pytest.mark.parametrize(
    "action",
    [
        lambda: Record._base_manager.update(title="edited"),
        lambda: Record._base_manager.filter(seq=2)._update([(Record._meta.get_field("title"), None, "x")]),
        lambda: models.QuerySet.update(Record.objects.all(), title="edited"),
        lambda: models.QuerySet.update(Record.objects.filter(seq=1), actor=None, title="x"),
        lambda: models.QuerySet.bulk_update(Record.objects.all(), list(Record.objects.all()), ["title"]),
        lambda: models.QuerySet.delete(Record.objects.all()),
        lambda: Record._base_manager.all().delete(),
        lambda: Record.objects.get(seq=2).save_base(raw=True),
        lambda: Record.objects.get(seq=2).save(force_update=True),
    ],
    ids=[
        "base-manager-update",
        "base-manager-_update",
        "QuerySet.update-unbound",
        "unbound-update-with-actor",
        "QuerySet.bulk_update-unbound",
        "QuerySet.delete-unbound",
        "base-manager-delete",
        "save_base-raw",
        "save-force-update",
    ],
)
def test_orm_paths_around_the_queryset_are_refused(three, action):
    before = snapshot()
    with pytest.raises(LedgerImmutableError), transaction.atomic():
        action()
    assert snapshot() == before


@pytest.mark.parametrize(
    "action",
    [
        lambda: Record.objects.all()._raw_delete(connection.alias),
        lambda: sql.UpdateQuery(Record).update_batch(
            list(Record.objects.values_list("pk", flat=True)), {"title": "edited"}, connection.alias
        ),
        lambda: connection.cursor().execute("UPDATE ledger_record SET title = 'edited'"),
        lambda: connection.cursor().execute("UPDATE ledger_record SET actor_id = NULL, title = 'x'"),
        lambda: connection.cursor().execute("DELETE FROM ledger_record WHERE seq = 3"),
    ],
    ids=["_raw_delete", "UpdateQuery.update_batch", "raw-update", "raw-unlink-and-edit", "raw-delete"],
)
def test_what_bypasses_the_orm_meets_the_triggers(three, action):
    before = snapshot()
    refused = r"ledger_record is append-only: (UPDATE|DELETE) refused"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        action()
    assert snapshot() == before


def test_postgresql_refuses_truncate(three):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(IntegrityError, match="TRUNCATE refused"), transaction.atomic():
        cursor = connection.cursor()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else the test's own pending FK checks object first
        cursor.execute("TRUNCATE ledger_record CASCADE")
    assert Record.objects.count() == 3


def test_sqlite_refuses_insert_or_replace(three):
    """REPLACE deletes the clashing row without firing DELETE triggers; the INSERT trigger refuses it."""
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    before = snapshot()
    with pytest.raises(IntegrityError, match="INSERT OR REPLACE refused"), transaction.atomic():
        connection.cursor().execute(
            "INSERT OR REPLACE INTO ledger_record SELECT * FROM ledger_record WHERE seq = 2"
        )
    assert snapshot() == before


def test_deleting_a_user_unlinks_the_actor_and_nothing_else(three, staff):
    user = staff.user
    staff.delete()
    user.delete()
    assert list(Record.objects.values_list("actor_id", flat=True)) == [None, None, None]
    assert ledger_verify().ok


def test_maintenance_mode_unlocks_one_block_only(three):
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_record SET title = 'edited' WHERE seq = 3")
    assert Record.objects.get(seq=3).title == "edited"
    with pytest.raises(IntegrityError), transaction.atomic():
        connection.cursor().execute("UPDATE ledger_record SET title = 'again' WHERE seq = 3")


def test_a_dba_who_drops_the_trigger_is_caught_by_the_chain(three):
    drop = triggers.POSTGRES_DROP if connection.vendor == "postgresql" else triggers.SQLITE_DROP
    create = triggers.POSTGRES_CREATE if connection.vendor == "postgresql" else triggers.SQLITE_CREATE
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
        cursor.execute("UPDATE ledger_record SET title = 'edited' WHERE seq = 2")
        for statement in create:
            cursor.execute(statement)
    assert ledger_verify().bad_seq == 2


def test_the_sqlite_trigger_lists_every_column():
    """SQLite cannot compare whole rows: a new Record column must be added to the UPDATE trigger."""
    columns = {field.column for field in Record._meta.concrete_fields}
    assert {*triggers.UNCHANGED, "actor_id"} == columns


def test_the_triggers_exist_after_migrating():
    """A future migration that rebuilds the table on SQLite would drop them silently; this notices."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_record'::regclass")
            expected = {
                "ledger_record_refuse_update",
                "ledger_record_refuse_delete",
                "ledger_record_refuse_truncate",
            }
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger_record'"
            )
            expected = {
                "ledger_record_refuse_update",
                "ledger_record_refuse_delete",
                "ledger_record_refuse_replace",
            }
        assert {row[0] for row in cursor.fetchall()} >= expected


@pytest.mark.django_db(transaction=True)
def test_flush_is_refused_on_a_real_database_and_allowed_to_the_test_runner(append):
    append()
    with override_settings(LEDGER_FLUSH_ALLOWED=False), pytest.raises(CommandError) as caught:
        call_command("flush", interactive=False, verbosity=0)
    assert "append-only" in str(caught.value.__cause__)
    assert Record.objects.count() == 1
    call_command("flush", interactive=False, verbosity=0)  # what TransactionTestCase does between tests
    assert Record.objects.count() == 0


# --- Edges found by mutation testing ---

REFUSED = "Ledger records are append-only: {} is not allowed."


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda: Record.objects.filter(seq=2).update(title="edited"), REFUSED.format("QuerySet.update()")),
        (lambda: Record.objects.all().delete(), REFUSED.format("QuerySet.delete()")),
        (
            lambda: Record.objects.bulk_update(list(Record.objects.all()), ["title"]),
            REFUSED.format("QuerySet.bulk_update()"),
        ),
        (
            lambda: Record.objects.bulk_create([Record(seq=4, title="forged")]),
            REFUSED.format("QuerySet.bulk_create() (use services.record_append)"),
        ),
        (
            lambda: models.QuerySet.update(Record.objects.filter(seq=1), title="x", outcome="passed"),
            REFUSED.format("UPDATE of outcome, title"),
        ),
        (
            lambda: Record.objects.create(seq=4, title="forged", prev_hash="0" * 64, hash="f" * 64),
            "Ledger records are written only by services.record_append.",
        ),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create", "unbound-update", "create"],
)
def test_each_refusal_says_what_was_refused(three, action, message):
    """What a developer (or a DBA in `manage.py shell`) reads when the ORM refuses a ledger write."""
    before = snapshot()
    with pytest.raises(LedgerImmutableError) as caught, transaction.atomic():
        action()
    assert str(caught.value) == message
    assert snapshot() == before


def test_a_queryset_on_another_database_stays_there_when_chained():
    """``verify_records --database`` reads through chained querysets: none may fall back to the default."""
    chained = Record.objects.using("archive").filter(seq__gte=1).order_by("seq").with_corrects_seq()
    assert (chained.db, chained.all().db) == ("archive", "archive")
