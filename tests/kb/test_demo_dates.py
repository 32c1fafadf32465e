"""#9 item 23: dates quoted in the demo texts agree with the fields. The demo's regulation updates move with
the day the demo is loaded; the dates quoted in their texts move with them (update_as_loaded).
No demo load: the specs are checked as the loader would use them, for several loading days."""

import datetime
import re
from collections.abc import Iterator

import pytest

from kb.demo_data.procedures import PROCEDURES
from kb.demo_data.regulations import UPDATES
from kb.demo_regulations import DATA_TODAY, shift_text_dates, update_as_loaded

DATE = r"(?:(\d{4})-(\d{2})-(\d{2})|(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)"
# Phrases that state when something takes effect: "於 2026 年 12 月 1 日生效", "2027-01-01 起生效",
# "由 2025 年 12 月 16 日起", "於 2026 年 3 月 2 日前實施", "起執行".
EFFECTIVE = re.compile(rf"{DATE}\s*(?:起\s*)?(?:生效|實施|執行)|{DATE}\s*前實施|由\s*{DATE}\s*起")
LOADING_DAYS = [
    DATA_TODAY,
    DATA_TODAY + datetime.timedelta(days=3),
    DATA_TODAY + datetime.timedelta(days=400),
]


def effective_dates_quoted(text: str) -> list[datetime.date]:
    found = []
    for match in EFFECTIVE.finditer(text):
        groups = [g for g in match.groups() if g is not None]
        found.append(datetime.date(*map(int, groups[:3])))
    return found


def strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def bare(number: str) -> str:
    return number.replace("（示例）", "")


@pytest.mark.parametrize("today", LOADING_DAYS, ids=lambda d: d.isoformat())
def test_effective_dates_quoted_in_regulation_texts_match_the_fields(today):
    updates = [update_as_loaded(spec, today) for spec in UPDATES]
    effective = {bare(u["document_number"]): u["effective"] for u in updates}
    checked = 0
    for update in updates:
        text = " ".join([update["title"], update["summary"], update["body"], *update["obligations"]])
        allowed = {update["effective"]} | {day for number, day in effective.items() if number in text}
        for day in effective_dates_quoted(text):
            assert day in allowed, (
                f"{update['document_number']} quotes {day} as an effective date; field says "
            )
            checked += 1
    assert checked >= 15  # the scan finds the dates it is about


def test_the_complaint_guideline_says_the_day_it_takes_effect():
    """The reported case: loaded on 2026-12-01 the field said 2026-12-04 and the text 2026-12-01."""
    [spec] = [s for s in UPDATES if s["document_number"] == "（示例）FMA/CP/2026/15"]
    loaded = update_as_loaded(spec, DATA_TODAY + datetime.timedelta(days=3))
    assert loaded["effective"] == datetime.date(2026, 12, 4)
    assert "本通告於 2026 年 12 月 4 日生效" in loaded["body"]
    assert effective_dates_quoted(loaded["body"]) == [datetime.date(2026, 12, 4)]


def test_shifting_keeps_formats_and_leaves_years_and_months_alone():
    text = "2027 年度課程於 2027 年 1 月 1 日生效（2026-12-31 前完成），2025 年 6 月發出；2026年2月28日"
    assert shift_text_dates(text, datetime.timedelta(days=1)) == (
        "2027 年度課程於 2027 年 1 月 2 日生效（2027-01-01 前完成），2025 年 6 月發出；2026年3月1日"
    )


def test_effective_dates_quoted_in_procedure_texts_match_a_version():
    for spec in PROCEDURES:
        versions = {datetime.date.fromisoformat(v["effective"]) for v in spec["versions"]}
        for text in strings({k: v for k, v in spec.items() if k != "versions"}):
            for day in effective_dates_quoted(text):
                assert day in versions, f"{spec['code']} quotes {day} as an effective date"
        for version in spec["versions"]:
            for text in strings(version):
                for day in effective_dates_quoted(text):
                    assert day in versions, f"{spec['code']} v{version['version']} quotes {day}"
