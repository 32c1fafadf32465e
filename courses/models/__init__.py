from .pages import CoursePage, CoursesIndexPage, CourseTag, LearningPathPage, LearningPathStep, LessonPage
from .progress import (
    CourseCompletion,
    CourseProgress,
    CourseRefresher,
    CourseReviewFlag,
    LessonView,
    ProgressState,
    RecertReason,
)

__all__ = [
    "CourseCompletion",
    "CoursePage",
    "CourseProgress",
    "CourseRefresher",
    "CourseReviewFlag",
    "CourseTag",
    "CoursesIndexPage",
    "LearningPathPage",
    "LearningPathStep",
    "LessonPage",
    "LessonView",
    "ProgressState",
    "RecertReason",
]
