"""Staff and compliance officers use procedures and the regulation feed in a real browser."""

import pytest

from kb.models import Acknowledgement, ProcedurePage
from quizzes.grading import correct_keys
from quizzes.models import Attempt
from quizzes.selectors import slots_of
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_staff_reads_and_acknowledges_complaint_procedure(page_as, server):
    procedure = ProcedurePage.objects.get(code="SOP-CS-003")
    page = page_as("staff01")
    page.click("nav.mainnav >> text=程序標準")
    page.click("text=客戶關係維護與溝通")
    page.click("text=客戶投訴處理程序")
    assert page.url == server.url + procedure.url
    body = page.inner_text("main")
    for text in [
        "SOP-CS-003",
        "第 3 版",
        "生效日期",
        "負責人",
        "目的",
        "適用範圍",
        "職責分工",
        "步驟",
        "完成 3 題理解測驗後確認",
    ]:
        assert text in body, text
    shot(page, "staff01-procedure-desktop")
    already = Acknowledgement.objects.filter(
        user__username="staff01", page_id=procedure.pk, version_number=3
    ).exists()
    if not already:  # SOP-CS-003 has a comprehension check: passing it records the acknowledgement
        page.click("button:has-text('開始理解測驗')")
        page.wait_for_selector("form.attempt")
        _answer_rightly(page, Attempt.objects.filter(user__username="staff01").latest("started_at"))
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button[value=submit]")
        page.wait_for_load_state("networkidle")
        page.click("a.btn:has-text('繼續')")
        page.wait_for_load_state("networkidle")
    banner = page.inner_text("[data-ack=done]")
    assert "已於" in banner and "確認 第 3 版" in banner
    assert (
        Acknowledgement.objects.filter(
            user__username="staff01", page_id=procedure.pk, version_number=3
        ).count()
        == 1
    )


def test_procedure_on_a_phone_fits_the_screen(page_as, server):
    procedure = ProcedurePage.objects.get(code="SOP-RK-051")  # has an upcoming version
    page = page_as("staff07", width=390)
    page.goto(server.url + procedure.url)
    assert "2027-01-01" in page.inner_text(".banner--upcoming")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "staff07-procedure-phone")


def test_procedure_prints_with_code_version_and_date_on_every_page(page_as, server, tmp_path):
    procedure = ProcedurePage.objects.get(code="SOP-CP-050")
    page = page_as("staff02")
    page.goto(server.url + procedure.url)
    page.emulate_media(media="print")
    header = page.locator(".print-header")
    assert header.is_visible()
    assert "SOP-CP-050" in header.inner_text() and "第 3 版" in header.inner_text()
    assert not page.locator("nav.mainnav").is_visible()
    assert header.evaluate("el => getComputedStyle(el).position") == "fixed"  # repeats on each printed page
    pdf = tmp_path / "procedure.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 10_000


def test_supervisor_home_shows_pending_and_team(page_as):
    page = page_as("supervisor1")
    body = page.inner_text("main")
    assert "我的工作台" in body and "鍾振邦" in body
    assert page.locator(".todo__item").count() >= 1
    assert "我的團隊" in page.inner_text("nav.mainnav")
    shot(page, "supervisor1-home-desktop")


def test_staff_member_reads_a_new_regulation_update(page_as, server):
    page = page_as("staff05")
    nav = page.locator("nav.mainnav a:has-text('法規動態')")
    before = int(nav.locator(".nav-count").inner_text())
    assert before >= 1
    nav.click()
    first = page.locator(".feed__item").first
    assert "feed__item--unread" in first.get_attribute("class")
    shot(page, "staff05-regulations-desktop")
    first.locator(".feed__title a").click()
    page.wait_for_load_state("networkidle")
    assert "請確認已閱讀此版本" in page.inner_text("main")
    page.click("form[data-ack=pending] button")
    page.wait_for_load_state("networkidle")
    assert "已於" in page.inner_text("[data-ack=done]")
    after = page.locator("nav.mainnav a:has-text('法規動態') .nav-count")
    assert (int(after.inner_text()) if after.count() else 0) == before - 1
    shot(page, "staff05-regulation-acknowledged-desktop")


def test_compliance_officer_traces_an_update_and_downloads_it(page_as, server):
    from kb.models import RegulationUpdatePage

    update = RegulationUpdatePage.objects.get(slug="fma-2026-complaint-handling-revision")
    page = page_as("compliance")
    page.goto(server.url + update.url)
    page.click("text=涉及的程序、閱讀確認及培訓")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "SOP-CS-003" in body and "電話理財中心" in body
    shot(page, "compliance-traceability-desktop")
    with page.expect_download() as download:
        page.click("text=下載 XLSX")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.set_viewport_size({"width": 390, "height": 900})
    shot(page, "compliance-traceability-phone")


def test_staff_cannot_open_traceability(page_as, server):
    from kb.models import RegulationUpdatePage

    update = RegulationUpdatePage.objects.get(slug="fma-2026-complaint-handling-revision")
    page = page_as("staff01")
    response = page.goto(f"{server.url}/regulations/{update.pk}/trace/")
    assert response.status == 403


def test_search_box_suggests_and_search_page_highlights(page_as, server):
    page = page_as("staff03")
    page.fill("#navsearch-q", "投訴")
    page.wait_for_selector(".navsearch__list a")
    assert "投訴" in page.inner_text(".navsearch__list")
    page.press("#navsearch-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator(".result").count() >= 3
    assert page.locator(".result mark").first.inner_text() == "投訴"
    shot(page, "staff03-search-desktop")
    page.goto(server.url + "/search/?q=客户投诉")  # Simplified, as typed on a phone
    assert "客戶投訴處理程序" in page.inner_text(".results")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "staff03-search-phone")


def _answer_rightly(page, attempt):
    """Tick the right options of each question (single, multiple or true/false) by their shown place."""
    for slot in slots_of(attempt):
        right = correct_keys(slot.version.data)
        kind = slot.version.data["type"]
        assert kind in {"single", "multiple", "true_false"}, kind
        for place, key in enumerate(slot.order, start=1):
            if key in right:
                value = key if kind == "true_false" else str(place)
                page.check(f"#q{slot.position} input[value='{value}']")
