"""Demo question bank, quizzes and attempts for `manage.py load_demo` (after people and kb).

The bank is written in GIFT (quizzes/demo_data/*.gift) and loaded through the importer, so the demo also
proves the import path. Attempts go through the real services with past clocks, so every graded attempt has
its ledger record.
"""

from __future__ import annotations

import datetime
import random
import re
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from .grading import grade, percent
from .importing import parse_gift, questions_import
from .models import (
    GradingMethod,
    Layout,
    Question,
    QuestionCategory,
    Quiz,
    QuizItem,
    ReviewPolicy,
)
from .selectors import slots_of
from .services import attempt_save_answers, attempt_start, attempt_submit

DATA = Path(__file__).resolve().parent / "demo_data"
STEP = re.compile(r"（(第 \d+ 步)）")

# Category path → (duty area, slug of the procedure page the questions test, or "")
CATEGORY_TOPICS = {
    "新員工入職/服務標準": (9, "reception-service-standards"),
    "新員工入職/產品及賬戶查詢": (2, ""),
    "客戶投訴處理": (2, "complaint-handling"),
    "反洗錢與反欺詐/反洗錢": (7, "aml-suspicious-transaction-reporting"),
    "反洗錢與反欺詐/反欺詐": (7, "scam-interception"),
    "信息安全與客戶隱私": (7, "counter-information-security"),
    "應急預案": (3, "data-breach-response"),
    "理解測驗/SOP-CS-003 客戶投訴處理程序": (2, "complaint-handling"),
    "理解測驗/SOP-CP-050 反洗錢可疑交易識別及匯報": (7, "aml-suspicious-transaction-reporting"),
    "理解測驗/SOP-RK-051 電話騙案攔截及客戶勸阻": (3, "scam-interception"),
    "理解測驗/SOP-EM-013 客戶資料外洩應急": (3, "data-breach-response"),
    "理解測驗/SOP-CS-005 客戶資料更新及身份核實": (2, "customer-data-update-verification"),
}

COURSE_QUIZZES = [
    {
        "title": "新員工入職培訓",
        "description": (
            "新同事入職首月完成：接待及服務標準、首問負責制、常見產品及賬戶查詢。每頁一題，不限時。"
        ),
        "draws": [("新員工入職/服務標準", 7, ""), ("新員工入職/產品及賬戶查詢", 3, "")],
        "pass_mark": 70,
        "max_attempts": 3,
        "time_limit_minutes": 0,
        "layout": Layout.ONE,
        "grading_method": GradingMethod.HIGHEST,
        "review_policy": ReviewPolicy.AFTER_EACH,
    },
    {
        "title": "客戶投訴處理實務",
        "description": "投訴受理、分級、確認及回覆時限、批核權限與根本原因分析。合格後顯示答案及解說。",
        "draws": [("客戶投訴處理", 10, "")],
        "pass_mark": 80,
        "max_attempts": 3,
        "time_limit_minutes": 20,
        "grading_method": GradingMethod.HIGHEST,
        "review_policy": ReviewPolicy.AFTER_PASSING,
    },
    {
        "title": "反洗錢與反欺詐年度培訓",
        "description": (
            "年度複修：可疑交易警號及匯報、禁止通風報信、電話騙案攔截及冷靜期。"
            "合格分數 80 分（SOP-CP-050 第 7 步）。"
        ),
        "draws": [("反洗錢與反欺詐/反洗錢", 6, "可疑交易"), ("反洗錢與反欺詐/反欺詐", 4, "")],
        "pass_mark": 80,
        "max_attempts": 3,
        "time_limit_minutes": 20,
        "grading_method": GradingMethod.HIGHEST,
        "review_policy": ReviewPolicy.AFTER_PASSING,
    },
    {
        "title": "信息安全與客戶隱私保護",
        "description": (
            "個人資料保障原則（示例條例）、櫃檯資訊保安、資料外洩及系統故障應急。最後一次作答後顯示答案。"
        ),
        "draws": [("信息安全與客戶隱私", 8, ""), ("應急預案", 2, "資料外洩")],
        "pass_mark": 80,
        "max_attempts": 2,
        "time_limit_minutes": 15,
        "grading_method": GradingMethod.LAST,
        "review_policy": ReviewPolicy.AFTER_LAST,
    },
]

# username → per quiz title: list of ("pass" | "fail" | "open", days ago)
DEMO_ATTEMPTS = {
    "staff01": {
        "客戶投訴處理實務": [("pass", 40)],
        "反洗錢與反欺詐年度培訓": [("pass", 20)],
        "信息安全與客戶隱私保護": [("pass", 12)],
    },
    "staff02": {"客戶投訴處理實務": [("fail", 35), ("pass", 33)], "反洗錢與反欺詐年度培訓": [("fail", 6)]},
    "staff03": {"反洗錢與反欺詐年度培訓": [("pass", 15)], "信息安全與客戶隱私保護": [("fail", 9)]},
    "staff04": {"新員工入職培訓": [("pass", 60)], "客戶投訴處理實務": [("pass", 25)]},
    "staff05": {"反洗錢與反欺詐年度培訓": [("fail", 18), ("fail", 17), ("pass", 16)]},
    "staff07": {"客戶投訴處理實務": [("fail", 4)], "信息安全與客戶隱私保護": [("pass", 3)]},
    "staff08": {"反洗錢與反欺詐年度培訓": [("pass", 2)]},
    "staff09": {"新員工入職培訓": [("pass", 90)], "反洗錢與反欺詐年度培訓": [("pass", 30)]},
    "staff10": {"客戶投訴處理實務": [("pass", 10)], "反洗錢與反欺詐年度培訓": [("fail", 1)]},
    "staff11": {"客戶投訴處理實務": [("pass", 8)]},
    "staff12": {"信息安全與客戶隱私保護": [("fail", 5), ("pass", 4)]},
    "newhire1": {"新員工入職培訓": [("open", 0)]},
}


def load_bank() -> int:
    """Import the GIFT files (once), then set duty areas, tested pages and steps."""
    if QuestionCategory.objects.filter(path__in=CATEGORY_TOPICS).exists():
        return 0
    parsed = []
    for path in sorted(DATA.glob("*.gift")):
        parsed += parse_gift(path.read_text(encoding="utf-8"))
    summary = questions_import(parsed)
    slugs = {slug for _duty, slug in CATEGORY_TOPICS.values() if slug}
    pages = dict(Page.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for question in Question.objects.select_related("category"):
        duty, slug = CATEGORY_TOPICS.get(question.category.path, (None, ""))
        step = STEP.search(question.name)
        Question.objects.filter(pk=question.pk).update(
            duty_area=duty, tested_page_id=pages.get(slug), tests_step=step.group(1) if step else ""
        )
    return summary.total


def _quiz(spec: dict) -> Quiz:
    quiz = Quiz(
        title=spec["title"],
        description=spec["description"],
        pass_mark=Decimal(spec["pass_mark"]),
        max_attempts=spec["max_attempts"],
        time_limit_minutes=spec["time_limit_minutes"],
        grading_method=spec["grading_method"],
        review_policy=spec["review_policy"],
        layout=spec.get("layout", Layout.ALL),
        shuffle_questions=spec.get("shuffle_questions", True),
    )
    for n, (path, count, tag) in enumerate(spec.get("draws", [])):
        quiz.items.add(
            QuizItem(category=QuestionCategory.objects.get(path=path), count=count, tag=tag, sort_order=n)
        )
    for n, question in enumerate(spec.get("fixed", [])):
        quiz.items.add(QuizItem(question=question, sort_order=n))
    quiz.save()
    return quiz


def comprehension_check_specs() -> list[dict]:
    """One 3-question check per procedure under 理解測驗/: all three right to acknowledge."""
    specs = []
    for category in QuestionCategory.objects.filter(path__startswith="理解測驗/").order_by("path"):
        code, _space, title = category.name.partition(" ")
        specs.append(
            {
                "title": f"理解測驗：{code} {title}",
                "code": code,
                "description": (
                    f"確認閱讀 {code}《{title}》前的 3 題理解測驗。全部答對即記錄確認；答錯可重做，"
                    "每次作答後顯示解說。"
                ),
                "fixed": list(category.questions.order_by("pk")),
                "pass_mark": 100,
                "max_attempts": 0,
                "time_limit_minutes": 0,
                "grading_method": GradingMethod.HIGHEST,
                "review_policy": ReviewPolicy.AFTER_EACH,
                "shuffle_questions": False,
            }
        )
    return specs


def _right_answer(data: dict):
    kind = data["type"]
    if kind == "short":
        return data["options"][0]["text"]
    if kind == "matching":
        return {pair["key"]: pair["match"] for pair in data["pairs"]}
    right = [o["key"] for o in data["options"] if Decimal(o["weight"]) > 0]
    return right if kind == "multiple" else max(data["options"], key=lambda o: Decimal(o["weight"]))["key"]


def _wrong_answer(data: dict, rng: random.Random):
    kind = data["type"]
    if kind == "short":
        return "不知道"
    if kind == "matching":
        keys = [m["key"] for m in data["matches"]]
        return {pair["key"]: rng.choice(keys) for pair in data["pairs"]}
    wrong = [o["key"] for o in data["options"] if Decimal(o["weight"]) <= 0] or [data["options"][0]["key"]]
    return [rng.choice(wrong)] if kind == "multiple" else rng.choice(wrong)


def _answers(attempt, skill: float, rng: random.Random, limit: int | None = None) -> dict:
    answers = {}
    for slot in slots_of(attempt)[:limit]:
        data = slot.version.data
        answers[slot.position] = _right_answer(data) if rng.random() < skill else _wrong_answer(data, rng)
    return answers


def load_attempts(quizzes: dict[str, Quiz]) -> int:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ATTEMPTS)}
    rng = random.Random(2026)
    now = timezone.now()
    made = 0
    for username, plan in DEMO_ATTEMPTS.items():
        user = users.get(username)
        if user is None:
            continue
        for title, tries in plan.items():
            for outcome, days in tries:
                started = now - datetime.timedelta(
                    days=days, hours=rng.randint(1, 6), minutes=rng.randint(0, 59)
                )
                if outcome == "open":
                    started = now - datetime.timedelta(minutes=12)
                attempt, _created = attempt_start(quiz=quizzes[title], user=user, now=started, rng=rng)
                if outcome == "open":
                    answers = _answers(attempt, 0.8, rng, limit=4)
                    attempt_save_answers(
                        attempt=attempt,
                        user=user,
                        answers=answers,
                        seq=1,
                        now=started + datetime.timedelta(minutes=5),
                    )
                    made += 1
                    continue
                for _retry in range(
                    6
                ):  # a "pass" must pass and a "fail" must fail: draw answers until it does
                    answers = _answers(attempt, 0.88 if outcome == "pass" else 0.45, rng)
                    points = sum(
                        (
                            grade(s.version.data, answers.get(s.position)) * s.points
                            for s in slots_of(attempt)
                        ),
                        Decimal(0),
                    )
                    if (percent(points, attempt.max_points) >= quizzes[title].pass_mark) == (
                        outcome == "pass"
                    ):
                        break
                finished = started + datetime.timedelta(minutes=rng.randint(6, 14))
                attempt_submit(attempt=attempt, user=user, answers=answers, seq=1, now=finished)
                made += 1
    return made


def load_quizzes() -> tuple[int, int, dict[str, Quiz]]:
    """The bank, the course quizzes, the comprehension checks and demo attempts. Returns (questions, attempts,
    checks by procedure code); safe to run again (loads nothing the second time)."""
    questions = load_bank()
    checks = {}
    if Quiz.objects.filter(title=COURSE_QUIZZES[0]["title"]).exists():
        for spec in comprehension_check_specs():
            quiz = Quiz.objects.filter(title=spec["title"]).first()
            if quiz:
                checks[spec["code"]] = quiz
        return questions, 0, checks
    quizzes = {spec["title"]: _quiz(spec) for spec in COURSE_QUIZZES}
    for spec in comprehension_check_specs():
        checks[spec["code"]] = _quiz(spec)
    attempts = load_attempts(quizzes)
    return questions, attempts, checks
