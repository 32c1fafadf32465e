"""Question banks and quizzes for the quiz tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizzes.models import Question, QuestionCategory, QuestionOption, Quiz, QuizItem

# Texts that must never reach a learner's browser before grading (feedback, explanations, accepted answers).
SECRET = "KEYLEAK"


def make_question(
    category, qtype="single", *, name=None, text="題目", options=(), tf=None, grading=None, tags=()
):
    """options: (text, weight, feedback) or for matching (prompt, match)."""
    question = Question(
        category=category,
        qtype=qtype,
        name=name or f"{qtype} {Question.objects.count() + 1}",
        text=f"<p>{text}</p>",
        explanation=f"<p>解釋 {SECRET}-explanation</p>",
        true_false_answer=tf,
        multiple_grading=grading or "all_or_nothing",
    )
    for n, option in enumerate(options):
        if qtype == "matching":
            prompt, match = option
            question.options.add(QuestionOption(text=prompt, match_text=match, sort_order=n))
        else:
            text_, weight, *feedback = option
            question.options.add(
                QuestionOption(
                    text=text_,
                    weight=Decimal(weight),
                    feedback=feedback[0] if feedback else f"{SECRET}-feedback-{n}",
                    sort_order=n,
                )
            )
    question.save()
    if tags:
        question.tags.add(*tags)
        question.save()
    return question


@pytest.fixture
def category(db):
    root = QuestionCategory.objects.create(name="反洗錢")
    return QuestionCategory.objects.create(name="可疑交易", parent=root)


@pytest.fixture
def questions(category):
    """One question of each type."""
    return {
        "single": make_question(
            category,
            "single",
            text="可疑交易報告應於何時提交？",
            options=[("即時", 100), ("一個月內", 0), ("不需", 0)],
        ),
        "multiple": make_question(
            category,
            "multiple",
            text="以下哪些是紅旗？",
            options=[("拆細存款", 50), ("頻繁跨境轉賬", 50), ("準時還款", -50), ("查詢利率", 0)],
            grading="partial",
        ),
        "true_false": make_question(category, "true_false", text="可以向客戶透露已提交報告。", tf=False),
        "short": make_question(
            category,
            "short",
            text="負責接收可疑交易報告的單位簡稱？",
            options=[("聯合財富情報組", 100), ("JFIU", 100)],
        ),
        "matching": make_question(
            category,
            "matching",
            text="配對",
            options=[("投訴確認", "1 個工作天"), ("最終回覆", "30 日"), ("", "7 日")],
        ),
    }


@pytest.fixture
def make_quiz(db):
    def make(*fixed, draws=(), **fields) -> Quiz:
        defaults = {"title": "反洗錢測驗", "shuffle_questions": False, "shuffle_options": False}
        defaults.update(fields)
        quiz = Quiz(**defaults)
        for n, question in enumerate(fixed):
            quiz.items.add(QuizItem(question=question, sort_order=n))
        for n, (cat, count, tag) in enumerate(draws, start=len(fixed)):
            quiz.items.add(QuizItem(category=cat, count=count, tag=tag, sort_order=n))
        quiz.save()
        return Quiz.objects.get(pk=quiz.pk)

    return make


@pytest.fixture
def learner(make_staff):
    return make_staff("staff03", display_name="黃詠詩").user
