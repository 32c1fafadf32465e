"""Maintenance mode: the one way for this process to UPDATE or DELETE ledger rows (test flush, restore).

Migration 0004 puts triggers on ``ledger_record`` that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE)
unless the connection has unlocked them: on PostgreSQL the transaction-local setting
``servewell.ledger_unlocked = 'on'``, on SQLite a connection-local ``temp.ledger_unlocked`` table. The ORM
guards in ``models.py`` read the context variable below. Nothing in the application enters this mode:
only ``manage.py restore``, ``manage.py flush`` where ``LEDGER_FLUSH_ALLOWED`` (the test settings), and tests
that tamper with the ledger on purpose. A DBA can do the same by hand, which the chain and anchors catch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction

UNLOCK_SETTING = "servewell.ledger_unlocked"  # PostgreSQL, transaction-local
UNLOCK_TABLE = "ledger_unlocked"  # SQLite, in the connection's temp schema

_maintenance: ContextVar[bool] = ContextVar("ledger_maintenance", default=False)


def in_maintenance() -> bool:
    """True inside ``ledger_maintenance()`` (the ORM guards let writes through)."""
    return _maintenance.get()


@contextmanager
def ledger_maintenance(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Unlock ledger rows for UPDATE/DELETE on this connection, in one transaction, until the block ends."""
    connection = connections[using]
    token = _maintenance.set(True)
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'on', true)", [UNLOCK_SETTING])
            elif connection.vendor == "sqlite":
                cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {UNLOCK_TABLE} (unlocked INTEGER)")
            yield
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, '', true)", [UNLOCK_SETTING])
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TABLE IF EXISTS temp.{UNLOCK_TABLE}")
    finally:
        _maintenance.reset(token)
