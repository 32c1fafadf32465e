"""Appraisal periods: a month, a quarter, a half-year, a year or a custom range of days (docs/appraisal.md).

A period is parsed from two URL/API parameters, ``period`` (the kind) and ``value`` (e.g. ``2026-Q3``), or
``start``/``end`` for a custom range. Anything unparseable raises ``PeriodError`` with a message naming the
parameter, which views turn into a 400.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import add_months

KINDS = {
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "half": gettext_lazy("Half-year"),
    "year": gettext_lazy("Year"),
    "custom": gettext_lazy("Custom range"),
}
MIN_YEAR, MAX_YEAR = 2000, 2100  # a bank's training records; anything else is a typo
MAX_CUSTOM_DAYS = 366 * 5

_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE),
    "half": re.compile(r"^(\d{4})-?H([12])$", re.IGNORECASE),
    "year": re.compile(r"^(\d{4})$"),
}
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class PeriodError(ValueError):
    """A period parameter that cannot be understood; the message names the parameter."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date  # first day, inclusive
    end: datetime.date  # last day, inclusive

    @property
    def value(self) -> str:
        """The ``value`` parameter that gives this period back (custom: ``start..end``)."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """E.g. 2026-Q3, or 2026-07-01 – 2026-08-15 for a custom range."""
        if self.kind == "custom":
            return f"{self.start.isoformat()} – {self.end.isoformat()}"
        return self.value

    @property
    def slug(self) -> str:
        """For file names: 2026-Q3, 2026-07-01_2026-08-15."""
        return self.value.replace("..", "_")

    def starts_at(self) -> datetime.datetime:
        """Local midnight at the start of the first day (aware)."""
        return _local_midnight(self.start)

    def closes_at(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """When the period is counted: local midnight after its last day, or now if that is earlier."""
        now = now or timezone.now()
        return min(_local_midnight(self.end + datetime.timedelta(days=1)), now)

    def previous(self) -> Period:
        if self.kind == "custom":
            length = (self.end - self.start).days + 1
            return Period(
                "custom", self.start - datetime.timedelta(days=length), self.start - datetime.timedelta(1)
            )
        return _calendar(self.kind, add_months(self.start, -_MONTHS[self.kind]))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _calendar(kind: str, start: datetime.date) -> Period:
    return Period(kind, start, add_months(start, _MONTHS[kind]) - datetime.timedelta(days=1))


def _year(text: str, param: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("%(param)s: the year must be between %(min)s and %(max)s.")
            % {"param": param, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


def _date(text: str, param: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise PeriodError(_("%(param)s: enter a date as YYYY-MM-DD.") % {"param": param}) from exc
    _year(str(day.year), param)
    return day


def period_parse(kind: str, value: str = "", *, start: str = "", end: str = "") -> Period:
    """The period of ``kind`` named by ``value`` (month 2026-07, quarter 2026-Q3, half 2026-H2, year 2026) or
    the custom range ``start``–``end`` (inclusive ISO dates)."""
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise PeriodError(_("period: choose one of %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    if kind == "custom":
        if not start and ".." in (value or ""):
            start, _sep, end = value.partition("..")
        first, last = _date(start, "start"), _date(end, "end")
        if last < first:
            raise PeriodError(_("end: the end date is before the start date."))
        if (last - first).days >= MAX_CUSTOM_DAYS:
            raise PeriodError(_("end: a custom range is at most five years."))
        return Period("custom", first, last)
    match = _PATTERNS[kind].match((value or "").strip()[:20])
    examples = {"month": "2026-07", "quarter": "2026-Q3", "half": "2026-H2", "year": "2026"}
    if not match:
        raise PeriodError(
            _("value: write the %(kind)s like %(example)s.")
            % {"kind": KINDS[kind], "example": examples[kind]}
        )
    year = _year(match.group(1), "value")
    number = int(match.group(2)) if kind != "year" else 1
    if kind == "month" and not 1 <= number <= 12:
        raise PeriodError(_("value: the month must be between 1 and 12."))
    first_month = {"month": number, "quarter": 3 * number - 2, "half": 6 * number - 5, "year": 1}[kind]
    return _calendar(kind, datetime.date(year, first_month, 1))


def period_from_params(
    params, *, default_kind: str = "quarter", today: datetime.date | None = None
) -> Period:
    """The period asked for in a query dict; the current ``default_kind`` when nothing is asked."""
    kind = params.get("period", "") or default_kind
    value = params.get("value", "")
    if not value and kind in _MONTHS:
        return current_period(kind, today=today)
    return period_parse(kind, value, start=params.get("start", ""), end=params.get("end", ""))


def current_period(kind: str = "quarter", *, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    if kind not in _MONTHS:
        raise PeriodError(_("period: choose one of %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    months = _MONTHS[kind]
    return _calendar(kind, datetime.date(today.year, (today.month - 1) // months * months + 1, 1))


def last_months(count: int = 12, *, today: datetime.date | None = None) -> list[Period]:
    """The ``count`` calendar months up to and including this one, oldest first."""
    this = current_period("month", today=today)
    return [_calendar("month", add_months(this.start, -offset)) for offset in range(count - 1, -1, -1)]
