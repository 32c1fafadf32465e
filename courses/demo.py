"""Demo training for `manage.py load_demo` (website.demo.load_all): the 培訓課程 section, eight courses in
Chinese (five of them the onboarding path), lessons linking the demo procedures, the quiz engine's course
quizzes, and varied progress among the demo staff — all relative to today."""

from __future__ import annotations

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from kb.models import ProcedurePage, RegulationUpdatePage
from people.models import Position, StaffProfile
from quizzes.demo import _answers as quiz_answers  # the quiz demo's answer maker (skill 1.0: all right)
from quizzes.models import Attempt, AttemptState, QuestionCategory, Quiz
from quizzes.services import attempt_start, attempt_submit

from .demo_data.courses import COURSES, ONBOARDING_PATH, PROGRESS
from .models import CoursePage, CoursesIndexPage, LearningPathPage, LearningPathStep, LessonPage
from .selectors import lessons_of
from .services import course_quiz_passed, course_recertify_start, lesson_view_record, review_flags_raise

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

IMAGES = {
    "first-contact": (
        "首問負責制流程",
        ["即時：確認需要", "30 分鐘：建立個案", "1 工作天：內部協調", "每 3 工作天：更新", "結案確認"],
    ),
    "complaint-timeline": (
        "投訴處理時限",
        ["1 工作天：登記", "2 工作天：確認通知", "7 工作天：調查及回覆", "30 日：最終回覆上限"],
    ),
}


def _diagram(key: str):
    """A simple flow diagram as a PNG (boxes and arrows), stored once as a Wagtail image."""
    title, steps = IMAGES[key]
    Image_ = get_image_model()
    existing = Image_.objects.filter(title=title).first()
    if existing:
        return existing
    width, height = 1200, 300
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    try:
        font, small = ImageFont.truetype(FONT, 34), ImageFont.truetype(FONT, 24)
    except OSError:  # the font is missing: Pillow's own (Latin only) keeps the demo loading
        font = small = ImageFont.load_default()
    draw.text((30, 20), title, fill="#0b4f6c", font=font)
    box_w = (width - 60) // len(steps) - 20
    for n, step in enumerate(steps):
        x = 30 + n * (box_w + 20)
        draw.rounded_rectangle(
            (x, 110, x + box_w, 230), radius=14, fill="#e6f1f6", outline="#0b4f6c", width=3
        )
        head, _sep, rest = step.partition("：")
        draw.text((x + 14, 125), head, fill="#0b4f6c", font=small)
        draw.text((x + 14, 170), rest, fill="#1d2b36", font=small)
        if n:
            draw.polygon([(x - 16, 160), (x - 4, 170), (x - 16, 180)], fill="#0b4f6c")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return Image_.objects.create(title=title, file=ImageFile(buffer, name=f"{key}.png"))


def _question(category_name: str):
    category = QuestionCategory.objects.filter(name=category_name).first()
    if category is None:
        return None
    return (
        category.questions.filter(is_active=True, qtype__in=["single", "true_false"]).order_by("pk").first()
    )


def _body(blocks: list[tuple]) -> list[tuple[str, object]]:
    body: list[tuple[str, object]] = []
    for kind, *args in blocks:
        if kind == "text":
            body.append(("text", args[0]))
        elif kind == "callout":
            body.append(("callout", {"kind": args[0], "title": args[1], "text": args[2]}))
        elif kind == "procedure":
            page = ProcedurePage.objects.filter(code=args[0]).first()
            if page:
                body.append(("procedure", {"procedure": page, "note": args[1]}))
        elif kind == "check":
            question = _question(args[0])
            if question:
                body.append(("check", {"question": question}))
        elif kind == "document":
            document = get_document_model().objects.filter(title=args[0]).first()
            if document:
                body.append(("document", {"document": document, "description": args[1]}))
        elif kind == "image":
            body.append(("image", {"image": _diagram(args[0]), "caption": IMAGES[args[0]][0]}))
    return body


def _publish(page: Page, user=None) -> Page:
    """Saved as the trainer's revision; published directly (the demo's content is approved)."""
    page.save_revision(user=user).publish()
    return type(page).objects.get(pk=page.pk)


def load_courses(home: Page) -> int:
    """Create the training section once; returns the number of courses (0 if it already existed)."""
    if CoursesIndexPage.objects.exists():
        return 0
    trainer = StaffProfile.objects.filter(user__username="trainer").select_related("user").first()
    user = trainer.user if trainer else None
    entry = Position.objects.filter(code="CSA").first()
    with transaction.atomic():
        index = home.add_child(
            instance=CoursesIndexPage(
                title="培訓課程",
                slug="training",
                intro="<p>入職培訓、技能培訓及年度合規培訓。完成課程及測驗後即時記錄，並可下載證書。</p>",
            )
        )
        index = _publish(index, user)
        courses: dict[str, CoursePage] = {}
        for spec in COURSES:
            onboarding = spec["slug"] in ONBOARDING_PATH["courses"]
            course = CoursePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                objectives=spec["objectives"],
                estimated_minutes=spec["minutes"],
                duty_area=spec["duty_area"],
                validity_months=spec.get("validity"),
                quiz=Quiz.objects.filter(title=spec["quiz"]).first() if spec.get("quiz") else None,
                content_owner=trainer,
                audience_all=not onboarding,
            )
            index.add_child(instance=course)
            if onboarding and entry:
                course.audience_positions.set([entry])
            course.tags.add(*spec["tags"])
            course = _publish(course, user)
            for title, summary, minutes, blocks in spec["lessons"]:
                lesson = LessonPage(
                    title=title, summary=summary, estimated_minutes=minutes, body=_body(blocks)
                )
                course.add_child(instance=lesson)
                _publish(lesson, user)
            courses[spec["slug"]] = CoursePage.objects.get(pk=course.pk)
        path = LearningPathPage(
            title=ONBOARDING_PATH["title"], slug=ONBOARDING_PATH["slug"], summary=ONBOARDING_PATH["summary"]
        )
        for n, (slug, days) in enumerate(
            zip(ONBOARDING_PATH["courses"], ONBOARDING_PATH["due_days"], strict=True)
        ):
            path.steps.add(LearningPathStep(course=courses[slug], sort_order=n, due_days=days))
        index.add_child(instance=path)
        if entry:
            path.audience_positions.set([entry])
        _publish(path, user)
        load_progress(courses)
        for regulation in RegulationUpdatePage.objects.live().filter(
            issued_date__gte=timezone.localdate() - datetime.timedelta(days=60)
        ):
            review_flags_raise(regulation)
    return len(courses)


def _pass(user, course: CoursePage, at: datetime.datetime, rng: random.Random) -> None:
    """The course quiz passed at ``at``: the quiz demo's pass of that day if there is one, else a new one."""
    earlier = (
        Attempt.objects.filter(
            user=user,
            quiz=course.quiz,
            state=AttemptState.GRADED,
            passed=True,
            submitted_at__range=(at - datetime.timedelta(days=2), at + datetime.timedelta(days=2)),
        )
        .order_by("submitted_at")
        .first()
    )
    if earlier is not None:
        course_quiz_passed(attempt=earlier, course=course)
        return
    attempt, _ = attempt_start(quiz=course.quiz, user=user, for_page_id=course.pk, now=at, rng=rng)
    answers = quiz_answers(attempt, 1.0, rng)
    attempt_submit(attempt=attempt, user=user, answers=answers, seq=1, now=at + datetime.timedelta(minutes=9))


def _view(user, lessons: list[LessonPage], count: int, at: datetime.datetime) -> None:
    for n, lesson in enumerate(lessons[:count]):
        lesson_view_record(user=user, lesson=lesson, at=at + datetime.timedelta(minutes=12 * n))


def load_progress(courses: dict[str, CoursePage]) -> int:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PROGRESS)}
    now = timezone.now()
    rng = random.Random(2027)
    events = 0
    order = [spec["slug"] for spec in COURSES]
    for username, plans in PROGRESS.items():
        user = users.get(username)
        if user is None:
            continue
        for slug in sorted(plans, key=order.index):
            course, plan = courses[slug], plans[slug]
            lessons = lessons_of(course)
            kind = plan[0]
            if kind == "part":
                _view(user, lessons, plan[1], now - datetime.timedelta(days=plan[2], hours=2))
            else:
                days = plan[1]
                done_at = now - datetime.timedelta(days=days, hours=rng.randint(1, 5))
                _view(user, lessons, len(lessons), done_at - datetime.timedelta(hours=2))
                if course.needs_quiz:
                    _pass(user, course, done_at, rng)
                if kind == "recert":
                    course_recertify_start(user=user, course=course, at=now - datetime.timedelta(days=3))
                    _view(user, lessons, plan[2], now - datetime.timedelta(days=2))
            events += 1
    return events
