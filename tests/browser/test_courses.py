"""A new hire's training on desktop and phone: 我的培訓 with the onboarding path (first course open, the rest
locked), a lesson with its procedure link and navigation, and a locked course refused by the server."""

import pytest

from courses.models import CourseCompletion, CoursePage
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_new_hire_sees_the_onboarding_path_and_reads_lessons(page_as, server):
    course = CoursePage.objects.get(slug="onboarding-1")
    lessons = list(course.get_children().live().order_by("path"))
    for width in (1366, 390):
        page = page_as("newhire1", width=width)
        page.goto(f"{server.url}/me/training/")
        main = page.inner_text("main")
        assert "我的培訓" in main and "新員工入職培訓" in main
        assert "服務理念與首問負責制" in main and "進行中" in main
        assert "未解鎖" in main and "完成以下課程後開放" in main
        assert page.locator(".progress").count() >= 5
        shot(page, f"courses-my-training-{width}")
        page.goto(server.url + lessons[1].url)
        main = page.inner_text("main")
        assert "第 2 課（共 3 課）" in main and "SOP-CS-001" in main
        assert page.locator(".lesson__body img").count() == 1  # the lesson's diagram
        shot(page, f"courses-lesson-{width}")

    locked = CoursePage.objects.get(slug="onboarding-2").get_children().live().first()
    response = page.goto(server.url + locked.url)
    assert response.status == 403 and "服務理念與首問負責制" in page.inner_text("main")

    page.goto(server.url + lessons[1].url)
    page.click("text=完成，下一課")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(lessons[2].url)
    page.click("text=標示完成並返回課程")
    page.wait_for_load_state("networkidle")
    assert "課程已完成" in page.inner_text("main") and "已完成" in page.inner_text("main")
    assert CourseCompletion.objects.filter(user__username="newhire1", course=course).count() == 1
    response = page.goto(server.url + locked.url)  # the next course is open now
    assert response.status == 200
