"""A staff member and a supervisor use the site in a real browser (desktop and phone widths)."""

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_staff_member_logs_in_and_sees_own_details(page_as, server):
    page = page_as("staff01")
    assert page.url == server.url + "/"
    body = page.inner_text("main")
    for text in ["陳嘉欣", "中環分行客戶服務組", "高級客戶服務主任", "鍾振邦"]:
        assert text in body
    assert page.get_attribute("html", "lang") == "zh-Hant"
    assert page.locator("nav.mainnav >> text=我的團隊").count() == 0  # not a supervisor
    shot(page, "staff01-home-desktop")


def test_language_switch_keeps_the_page(page_as):
    page = page_as("staff01")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    assert "Log out" in page.inner_text("header")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "zh-Hans"


def test_supervisor_sees_team_on_phone(page_as, server):
    page = page_as("supervisor1", width=390)
    page.goto(server.url + "/team/")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 14  # supervisor2, staff01–12 and newhire1
    assert "馮浩然" in page.inner_text("table.data")  # three levels down
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    shot(page, "supervisor1-team-phone")


def test_staff_member_cannot_open_someone_elses_profile(page_as, server):
    from people.models import StaffProfile

    other = StaffProfile.objects.get(employee_number="E10135")  # supervisor2, another team
    page = page_as("staff01")
    response = page.goto(f"{server.url}/people/{other.pk}/")
    assert response.status == 403
    assert "羅慧敏" not in page.inner_text("main")
