"""Course trees for the courses tests: home → 培訓課程 → courses → lessons, and a one-question course quiz."""

from __future__ import annotations

import pytest

from courses.models import LearningPathPage, LearningPathStep
from quizzes.models import AttemptState, QuestionCategory
from quizzes.services import attempt_start, attempt_submit
from tests.factories import CoursePageFactory, CoursesIndexPageFactory, LessonPageFactory, publish
from tests.quizzes.conftest import make_question, make_quiz  # noqa: F401  (fixture)
from website.demo import ensure_site


@pytest.fixture
def courses_index(db):
    return publish(CoursesIndexPageFactory(parent=ensure_site()))


@pytest.fixture
def make_course(courses_index):
    """make_course(lessons=3, prerequisites=(), **fields) -> (course, [lessons]), all published."""

    def make(lessons: int = 3, *, prerequisites=(), lesson_body=None, **fields):
        course = CoursePageFactory(parent=courses_index, **fields)
        if prerequisites:
            course.prerequisites.set(prerequisites)
        course = publish(course)
        made = []
        for _ in range(lessons):
            extra = {"body": lesson_body} if lesson_body is not None else {}
            made.append(publish(LessonPageFactory(parent=course, **extra)))
        return type(course).objects.get(pk=course.pk), made

    return make


@pytest.fixture
def make_path(courses_index):
    def make(*courses, title="新員工入職培訓", due_days=None):
        path = LearningPathPage(
            title=title, slug=f"path-{LearningPathPage.objects.count() + 1}", summary="入職首月"
        )
        path.audience_all = True
        for n, course in enumerate(courses):
            path.steps.add(LearningPathStep(course=course, sort_order=n, due_days=due_days))
        courses_index.add_child(instance=path)
        return publish(path)

    return make


@pytest.fixture
def quiz_category(db):
    return QuestionCategory.objects.create(name="客戶投訴處理")


@pytest.fixture
def course_quiz(make_quiz, quiz_category):  # noqa: F811  (the imported fixture)
    question = make_question(
        quiz_category, "single", text="確認通知的時限？", options=[("1 個工作天", 100), ("30 日", 0)]
    )
    return make_quiz(question, title="客戶投訴處理實務", pass_mark=80, max_attempts=5)


def take_quiz(quiz, user, *, right: bool = True, for_page=None, now=None):
    """Start and submit an attempt with the right (or wrong) answer; returns the graded attempt."""
    attempt, _ = attempt_start(quiz=quiz, user=user, for_page_id=for_page.pk if for_page else None, now=now)
    slot = attempt.slots.get()
    keys = slot.order
    weights = {o["key"]: o["weight"] for o in slot.version.data["options"]}
    answer = next(k for k in keys if (weights[k] != "0.00") == right)
    attempt, _ = attempt_submit(attempt=attempt, user=user, answers={slot.position: answer}, seq=1, now=now)
    assert attempt.state == AttemptState.GRADED
    return attempt


@pytest.fixture
def learner(make_staff):
    return make_staff("staff09", display_name="鄭曉彤", groups=["Staff"]).user
