"""The one place where courses talk to assignments (the obligation table): registration of the assignable
types and the three events, each called inside the transaction of the course's own records.

Until the assignments app has its registry and services, these calls do nothing (see docs/courses.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

try:  # assignments/services.py lands on its own branch; this guard goes when both are merged
    from assignments import registry as assignment_registry
    from assignments import services as assignment_services
except ImportError:  # pragma: no cover - depends on the merge order
    assignment_registry = None
    assignment_services = None


def register_types() -> None:
    """Courses and learning paths can be assigned (called from CoursesConfig.ready)."""


def progressed(*, user, course, done: int, total: int, at: datetime.datetime) -> None:
    if assignment_services is not None and hasattr(assignment_services, "obligation_progress"):
        assignment_services.obligation_progress(user=user, target=course, done=done, total=total, at=at)


def fulfilled(
    *,
    user,
    course,
    at: datetime.datetime,
    record,
    score: Decimal | None,
    valid_until: datetime.date | None,
) -> None:
    if assignment_services is not None and hasattr(assignment_services, "obligation_fulfil"):
        assignment_services.obligation_fulfil(
            user=user, target=course, at=at, record=record, score=score, valid_until=valid_until
        )


def reopened(*, course, completed_before: datetime.datetime, reason: str) -> int:
    if assignment_services is not None and hasattr(assignment_services, "obligations_reopen"):
        return assignment_services.obligations_reopen(
            target=course, completed_before=completed_before, reason=reason
        )
    return 0
