"""Failure half-way: run an all-or-nothing operation with its LAST database write failing.

``fail_on_last_write(operation)`` knows nothing of how the operation writes (save, bulk_create, raw SQL,
one transaction or many): it runs the operation once inside a savepoint that is rolled back, counting the
INSERT/UPDATE/DELETE statements it sends (search-index writes aside: derived data), then runs it again with
the last of those statements failing in the database driver's place (``connection.execute_wrapper``).
``database_snapshot()`` before and after shows whether anything of the operation stayed: an operation that
is all-or-nothing leaves the database as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError, connection, transaction

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class InjectedFailure(OperationalError):
    """What the database 'raises' on the injected write (not an IntegrityError, which callers may handle)."""


class _Rollback(Exception):
    pass


# The search index and Wagtail's reference index are derived data, brought in line after the commit
# (people.importing; Wagtail's update_reference_index_task, which swallows its own failures) or repaired by
# `manage.py update_index` / `rebuild_references_index`: their writes are not part of any all-or-nothing unit,
# so they are not counted.
DERIVED = re.compile(
    r'\s*(INSERT\s+(OR\s+IGNORE\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(wagtailsearch_|wagtailcore_referenceindex)',
    re.IGNORECASE,
)


def _is_write(sql: str) -> bool:
    return sql.lstrip().upper().startswith(WRITES) and not DERIVED.match(sql)


def count_writes(operation: Callable[[], Any]) -> int:
    """How many writing statements ``operation`` sends; everything it did is rolled back."""
    seen: list[str] = []

    def counter(execute, sql, params, many, context):
        if _is_write(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    try:
        with transaction.atomic(), connection.execute_wrapper(counter):
            operation()
            raise _Rollback
    except _Rollback:
        pass
    return len(seen)


def fail_on_last_write(operation: Callable[[], Any]) -> int:
    """Run ``operation`` with its last writing statement failing; return how many writes came before it.

    Asserts that the injected failure reached the caller (nothing swallowed it)."""
    total = count_writes(operation)
    assert total >= 1, "the operation wrote nothing, so there is no last write to fail"
    seen = 0

    def failing(execute, sql, params, many, context):
        nonlocal seen
        if _is_write(sql):
            seen += 1
            if seen == total:
                raise InjectedFailure(f"injected failure on write {seen} of {total}: {sql[:80]}")
        return execute(sql, params, many, context)

    with pytest.raises(InjectedFailure), connection.execute_wrapper(failing):
        operation()
    assert seen == total, f"the failing run sent {seen} writes, the counting run {total}"
    return total - 1


def database_snapshot(*, exclude: tuple[str, ...] = ("sessions.session",)) -> dict[str, list[tuple]]:
    """Every row of every table of the project's models (the test database is small)."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in exclude or model._meta.proxy or not model._meta.managed:
            continue
        snapshot[label] = list(model._base_manager.order_by("pk").values_list())
    return snapshot


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
