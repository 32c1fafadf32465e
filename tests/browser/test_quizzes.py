"""A member of staff takes a quiz on a phone: countdown, autosave, submit, result."""

import pytest

from quizzes.models import Attempt, AttemptState
from tests.browser.conftest import shot
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_quiz(server):
    from quizzes.models import QuestionCategory, Quiz, QuizItem

    category = QuestionCategory.objects.create(name="手機測驗（瀏覽器測試）")
    questions = [
        make_question(
            category,
            "single",
            text="客戶連續三天各存入 HK$118,000 現金，並問存多少就不用填表。這最可能是？",
            options=[("刻意分拆交易以避開申報門檻", 100), ("正常生意周轉", 0), ("系統故障", 0)],
        ),
        make_question(
            category,
            "multiple",
            text="以下哪些屬可疑交易警號？",
            options=[
                ("不願說明資金來源", 50),
                ("多名無關人士存款至同一賬戶", 50),
                ("每月按時存入薪金", -100),
            ],
            grading="partial",
        ),
        make_question(category, "true_false", text="可以告訴客戶銀行已就其交易提交報告。", tf=False),
        make_question(category, "short", text="接收可疑交易報告的機構英文簡稱？", options=[("JFIU", 100)]),
    ]
    quiz = Quiz(
        title="反洗錢與反欺詐年度培訓", time_limit_minutes=20, shuffle_options=False, shuffle_questions=False
    )
    for n, question in enumerate(questions):
        quiz.items.add(QuizItem(question=question, sort_order=n))
    quiz.save()
    return quiz


def test_staff_takes_a_quiz_on_a_phone(page_as, server, phone_quiz):
    page = page_as("staff03", width=390)
    page.goto(f"{server.url}/quizzes/{phone_quiz.pk}/")
    assert "合格分數" in page.inner_text("main")
    page.click("button:has-text('開始測驗')")
    page.wait_for_selector("form.attempt")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the deferred script replaces the server's "about 20 minutes" with m:ss: wait for it
    page.wait_for_function("document.querySelector('.countdown__time').textContent.includes(':')")
    assert ":" in page.inner_text(".countdown__time")
    page.check("#q1 input[value='1']")
    page.check("#q2 input[value='1']")
    page.check("#q2 input[value='2']")
    page.check("#q3 input[value='false']")
    page.fill("#q4-input", "jfiu")
    page.locator("#q4-input").blur()
    page.wait_for_function("document.querySelector('[data-save-status]').textContent.includes('儲存')")
    attempt = Attempt.objects.get(quiz=phone_quiz, user__username="staff03")
    assert attempt.slots.get(position=4).answer == "jfiu"
    shot(page, "staff03-quiz-attempt-phone")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[data-submit]")
    page.wait_for_selector(".result")
    assert "合格" in page.inner_text(".result h1")
    assert "100%" in page.inner_text(".result__score")
    shot(page, "staff03-quiz-result-phone")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and attempt.passed
