"""My workbench (issue #13) in a real browser: a new hire and a phone-banking officer, with screenshots."""

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_new_hire_sees_onboarding_and_acknowledgements(page_as):
    page = page_as("newhire1")
    bench = page.locator("section.workbench")
    text = bench.inner_text()
    assert "我的工作台" in text
    assert "新員工入職培訓" in text  # the onboarding rule, due 30 days after hire
    assert "待確認" in text  # procedures and regulation updates owed through their audience
    assert bench.locator("progress").count() >= 1
    shot(page, "newhire1-home-workbench")


def test_staff05_sees_overdue_first_and_recent_results(page_as):
    page = page_as("staff05")
    bench = page.locator("section.workbench")
    text = bench.inner_text()
    assert (
        "信息安全與客戶隱私保護" in text and "客戶投訴處理實務" in text
    )  # a rule and her supervisor's assignment
    results = page.locator("#results-heading")
    assert results.count() == 1 and "反洗錢與反欺詐年度培訓" in page.inner_text("main")  # passed, on time
    order = [text.find(word) for word in ("即將到期", "稍後") if word in text]
    assert order == sorted(order)
    shot(page, "staff05-home-workbench")
