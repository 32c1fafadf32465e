"""Appraisal periods: every kind parses to the right first and last day; bad input names the parameter."""

import datetime

import pytest
from django.utils import translation

from dashboards.periods import PeriodError, current_period, last_months, period_from_params, period_parse

D = datetime.date


@pytest.mark.parametrize(
    ("kind", "value", "start", "end"),
    [
        ("month", "2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("month", "2028-2", D(2028, 2, 1), D(2028, 2, 29)),
        ("quarter", "2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("quarter", "2026q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("half", "2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
        ("half", "2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
        ("year", "2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("custom", "2026-07-15..2026-08-14", D(2026, 7, 15), D(2026, 8, 14)),
    ],
)
def test_each_kind_covers_exactly_its_days(kind, value, start, end):
    period = period_parse(kind, value)
    assert (period.start, period.end) == (start, end)
    assert period_parse(kind, period.value) == period


def test_previous_quarter_and_custom_range():
    assert period_parse("quarter", "2026-Q1").previous() == period_parse("quarter", "2025-Q4")
    custom = period_parse("custom", start="2026-03-01", end="2026-03-10")
    assert custom.previous() == period_parse("custom", start="2026-02-19", end="2026-02-28")


def test_current_and_last_twelve_months():
    assert current_period("quarter", today=D(2026, 8, 20)).value == "2026-Q3"
    months = last_months(12, today=D(2026, 3, 5))
    assert [m.value for m in (months[0], months[-1])] == ["2025-04", "2026-03"]
    assert len(months) == 12


def test_closes_at_the_next_midnight_or_now():
    period = period_parse("month", "2026-07")
    closes = period.closes_at(now=period.starts_at() + datetime.timedelta(days=400))
    assert closes.date() == D(2026, 8, 1) and closes.hour == 0
    now = period.starts_at() + datetime.timedelta(days=3, hours=5)
    assert period.closes_at(now=now) == now


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"period": "week", "value": "2026-01"}, "period"),
        ({"period": "quarter", "value": "2026-Q5"}, "value"),
        ({"period": "month", "value": "2026-13"}, "value"),
        ({"period": "year", "value": "99999999999999999999999"}, "value"),
        ({"period": "year", "value": "1066"}, "value"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"period": "custom", "start": "2026-03-01", "end": "2026-02-01"}, "end"),
        ({"period": "custom", "start": "2000-01-01", "end": "2099-01-01"}, "end"),
        ({"period": "custom", "start": "-1", "end": "x"}, "start"),
    ],
)
def test_bad_input_raises_a_message_naming_the_parameter(params, names):
    with translation.override("en"), pytest.raises(PeriodError) as exc:
        period_from_params(params)
    assert str(exc.value).startswith(names + ":")


def test_no_parameters_means_the_current_quarter():
    assert period_from_params({}, today=D(2026, 11, 2)).value == "2026-Q4"
