"""Concurrent appends never fork the chain, skip a seq or fail."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from ledger.models import Record
from ledger.services import record_append
from ledger.verification import ledger_verify
from tests.factories import UserFactory

THREADS = 8
PER_THREAD = 50


def hammer(user_pk: int) -> list[BaseException]:
    """Start THREADS threads at once, each appending PER_THREAD records; return their errors."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            user = get_user_model().objects.get(pk=user_pk)
            barrier.wait()
            for i in range(PER_THREAD):
                record_append(
                    kind="acknowledgement",
                    actor=user,
                    subject_type="kb.procedurepage",
                    page_id=n,
                    title=f"thread {n} record {i}",
                    outcome="acknowledged",
                )
        except BaseException as exc:  # reported by the test, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_intact_chain_of(total: int) -> None:
    assert Record.objects.count() == total
    assert list(Record.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    result = ledger_verify(batch_size=64)
    assert (result.ok, result.checked, result.reason) == (True, total, "")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql():
    user = UserFactory(username="busy")
    assert hammer(user.pk) == []
    assert_intact_chain_of(THREADS * PER_THREAD)


def test_concurrent_processes_on_a_sqlite_file():
    """SQLite's test database is in memory (shared cache, table locks), so threads there prove nothing.

    This runs the bench instead: 4 processes append together to a fresh, migrated WAL file database,
    the way gunicorn workers would; the bench exits 1 on any error, lost record or broken chain.
    """
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL run has its own concurrency test")
    bench = Path(__file__).resolve().parents[2] / "bench" / "ledger_concurrency.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--backends", "sqlite", "--procs", "4", "--per-proc", "25"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("sqlite "))
    assert row.split()[2:7] == ["100", "100", "100", "0", "intact"]
