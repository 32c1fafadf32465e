"""The 培訓 section of a regulation update's traceability view (kb/hooks.py): the courses that teach the
procedures it affects (or that it names as related training), with progress by department."""

from __future__ import annotations

from wagtail.models import Page

from kb.models import RegulationUpdatePage

from .models import CoursePage, LessonPage
from .selectors import course_progress_by_department, open_review_flags


def courses_for_regulation(regulation: RegulationUpdatePage) -> list[CoursePage]:
    affected = set(regulation.affected_procedures.values_list("procedure_id", flat=True))
    course_ids: set[int] = set()
    if affected:
        for lesson in LessonPage.objects.live().specific():
            if affected & set(lesson.procedure_ids()):
                course_ids.add(lesson.get_parent().pk)
    if regulation.related_training_id:
        related = Page.objects.filter(pk=regulation.related_training_id).first()
        if related is not None:
            course = CoursePage.objects.filter(pk=related.pk).first() or (
                CoursePage.objects.filter(path=related.path[: -related.steplen]).first()
            )
            if course is not None:
                course_ids.add(course.pk)
    return list(CoursePage.objects.live().filter(pk__in=course_ids).order_by("title"))


def trace_training(regulation: RegulationUpdatePage) -> dict | None:
    courses = courses_for_regulation(regulation)
    if not courses:
        return None
    flags = {flag.course_id: flag for flag in open_review_flags([c.pk for c in courses])}
    return {
        "template": "courses/includes/trace_training.html",
        "courses": [
            {"course": c, "departments": course_progress_by_department(c), "flag": flags.get(c.pk)}
            for c in courses
        ],
    }
