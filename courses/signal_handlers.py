"""courses reacts to the quiz engine (a graded attempt), to kb (a regulation update published) and to its own
pages being published or removed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from kb.signals import regulation_published
from quizzes.signals import attempt_graded

from . import obligations
from .models import CoursePage, LearningPathPage, LessonPage
from .services import course_lessons_changed, course_quiz_passed, review_flags_clear, review_flags_raise


@receiver(attempt_graded, dispatch_uid="courses_quiz_passed")
def complete_on_quiz_pass(sender, attempt, **kwargs) -> None:
    """A pass of a course's quiz counts for that course — in the grading transaction, so the attempt and the
    completion are recorded together or not at all. An attempt taken for another page counts for nothing."""
    if not attempt.passed:
        return
    courses = CoursePage.objects.live().filter(quiz_id=attempt.quiz_id)
    if attempt.for_page_id:
        courses = courses.filter(pk=attempt.for_page_id)
    for course in courses:
        course_quiz_passed(attempt=attempt, course=course)


@receiver(page_published, sender=LessonPage, dispatch_uid="courses_lesson_published")
@receiver(page_unpublished, sender=LessonPage, dispatch_uid="courses_lesson_unpublished")
def recount_on_lesson_change(sender, instance, **kwargs) -> None:
    parent = Page.objects.filter(pk=instance.get_parent().pk).specific().first()
    if isinstance(parent, CoursePage):
        course_lessons_changed(parent)


@receiver(post_delete, sender=LessonPage, dispatch_uid="courses_lesson_deleted")
def recount_on_lesson_delete(sender, instance, **kwargs) -> None:
    parent_path = instance.path[: -instance.steplen]
    course = CoursePage.objects.filter(path=parent_path).first()
    if course is not None:
        transaction.on_commit(lambda: course_lessons_changed(course))


@receiver(page_published, sender=CoursePage, dispatch_uid="courses_course_published")
def course_published(sender, instance, revision=None, **kwargs) -> None:
    """A new version of the course: counts follow its quiz setting, and regulation flags are answered."""
    course_lessons_changed(instance)
    user = revision.user if revision is not None else None
    review_flags_clear(instance, user=user, note=f"New version published: {instance.title}")


@receiver(regulation_published, dispatch_uid="courses_flag_on_regulation")
def flag_courses_on_regulation(sender, page, version, **kwargs) -> None:
    """A regulation update touches procedures some lessons teach: their courses go to their owners' review."""
    if version.is_material:
        with transaction.atomic():
            review_flags_raise(page)


@receiver(page_published, sender=LearningPathPage, dispatch_uid="courses_path_published")
def path_published(sender, instance, **kwargs) -> None:
    """The path's people owe its courses by their hire date + each step's days (the obligation table)."""
    obligations.path_changed(instance)
