"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) on ledger_record, and the refusing base manager.

The one UPDATE let through is Django's SET NULL of ``actor_id`` alone when a user is deleted. Maintenance
mode (``ledger.maintenance``: the test runner's flush, ``manage.py restore``) unlocks a single connection:
on PostgreSQL the transaction-local setting ``servewell.ledger_unlocked = 'on'``, on SQLite a temp table
``ledger_unlocked`` (connection-local; read through ``pragma_table_list``, SQLite ≥ 3.37). A DBA can still
drop the triggers; the hash chain and the anchors catch what they then change (docs/ledger.md).

SQLite cannot compare whole rows, so its UPDATE trigger lists every column but actor_id: a migration that
adds a column to Record must recreate it (tests/ledger/test_guards.py fails until it does).
"""

import sqlite3

from django.db import migrations

MESSAGE = "ledger_record is append-only: {op} refused (docs/ledger.md)"
UNCHANGED = [
    "id", "seq", "kind", "actor_user_id", "actor_username", "actor_name", "actor_employee_number",
    "subject_type", "page_id", "revision_id", "title", "outcome", "score", "data", "occurred_at",
    "recorded_at", "corrects_id", "prev_hash", "hash",
]
SQLITE_LOCKED = (
    "NOT EXISTS (SELECT 1 FROM pragma_table_list WHERE schema = 'temp' AND name = 'ledger_unlocked')"
)
SQLITE_ACTOR_UNLINK = " AND ".join(
    ["OLD.actor_id IS NOT NULL", "NEW.actor_id IS NULL"] + [f'NEW."{c}" IS OLD."{c}"' for c in UNCHANGED]
)
SQLITE_CREATE = [
    f"""CREATE TRIGGER ledger_record_refuse_update BEFORE UPDATE ON ledger_record FOR EACH ROW
    WHEN {SQLITE_LOCKED} AND NOT ({SQLITE_ACTOR_UNLINK})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(op="UPDATE")}'); END""",
    f"""CREATE TRIGGER ledger_record_refuse_delete BEFORE DELETE ON ledger_record FOR EACH ROW
    WHEN {SQLITE_LOCKED}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(op="DELETE")}'); END""",
    # INSERT OR REPLACE deletes the row it replaces without firing DELETE triggers: refuse the clash.
    f"""CREATE TRIGGER ledger_record_refuse_replace BEFORE INSERT ON ledger_record FOR EACH ROW
    WHEN {SQLITE_LOCKED} AND EXISTS (SELECT 1 FROM ledger_record WHERE id = NEW.id OR seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(op="INSERT OR REPLACE")}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_record_refuse_update",
    "DROP TRIGGER IF EXISTS ledger_record_refuse_delete",
    "DROP TRIGGER IF EXISTS ledger_record_refuse_replace",
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION ledger_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('servewell.ledger_unlocked', true) = 'on' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE.format(op="%")}', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER ledger_record_refuse_update BEFORE UPDATE ON ledger_record
    FOR EACH ROW EXECUTE FUNCTION ledger_record_refuse_change()""",
    """CREATE TRIGGER ledger_record_refuse_delete BEFORE DELETE ON ledger_record
    FOR EACH ROW EXECUTE FUNCTION ledger_record_refuse_change()""",
    """CREATE TRIGGER ledger_record_refuse_truncate BEFORE TRUNCATE ON ledger_record
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_record_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_record_refuse_truncate ON ledger_record",
    "DROP TRIGGER IF EXISTS ledger_record_refuse_delete ON ledger_record",
    "DROP TRIGGER IF EXISTS ledger_record_refuse_update ON ledger_record",
    "DROP FUNCTION IF EXISTS ledger_record_refuse_change()",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        if sqlite3.sqlite_version_info < (3, 37):
            raise RuntimeError(f"The ledger's triggers need SQLite 3.37 or later, not {sqlite3.sqlite_version}.")
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_rehash_times_to_milliseconds"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="record",
            options={
                "base_manager_name": "objects",
                "default_permissions": ("view",),
                "ordering": ["seq"],
                "verbose_name": "evidence record",
                "verbose_name_plural": "evidence records",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
