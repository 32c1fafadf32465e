"""Answers for errors that are the user's input or a busy moment, never a 500.

- ``BadParameter`` (``core.params``): 400 with the message naming the parameter.
- The database is busy: SQLite's "database is locked" (another connection held the write lock for longer
  than the ``timeout`` option, 20 s in production) or PostgreSQL's lock timeout, deadlock and serialisation
  failure: 503 with ``Retry-After`` and a translated "try again in a moment" page. The transaction was rolled
  back, so nothing was half-written and repeating the request is safe.
- A number too large for the database that got past ``core.params`` (e.g. in one of Wagtail's own admin
  URLs): SQLite's driver raises OverflowError, PostgreSQL's "out of range" (22003): 404.

The pages are plain (no navigation, no database reads): the database may be what is failing.
"""

from __future__ import annotations

import logging

from django.db import DataError, OperationalError
from django.template.response import TemplateResponse

from .params import BadParameter

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")
OUT_OF_RANGE_SQLSTATE = "22003"


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None) or getattr(exc.__cause__, "pgcode", None)


def is_database_busy(exc: BaseException) -> bool:
    """A write that gave up waiting for another transaction's lock."""
    if _sqlstate(exc) in BUSY_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and any(text in str(exc) for text in SQLITE_BUSY_MESSAGES)


def is_number_out_of_range(exc: BaseException) -> bool:
    return isinstance(exc, OverflowError) or (
        isinstance(exc, DataError) and _sqlstate(exc) == OUT_OF_RANGE_SQLSTATE
    )


class ErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return self._page(request, "core/bad_parameter.html", 400, message=str(exception))
        if is_database_busy(exception):
            logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
            response = self._page(request, "core/busy.html", 503, retry_after=RETRY_AFTER_SECONDS)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if is_number_out_of_range(exception):
            logger.info("Number out of range on %s: %s", request.path, exception)
            return self._page(request, "404.html", 404)
        return None

    @staticmethod
    def _page(request, template: str, status: int, **context) -> TemplateResponse:
        response = TemplateResponse(request, template, context, status=status)
        return response.render()
