"""Question bank, quizzes and attempts (layer 2: knows nothing of kb or courses; pages are plain FKs)."""

from .attempts import Attempt, AttemptSlot, AttemptState
from .bank import (
    DUTY_AREAS,
    MultipleGrading,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionTag,
    QuestionType,
    QuestionVersion,
)
from .quizzes import GradingMethod, Layout, Quiz, QuizItem, ReviewPolicy

__all__ = [
    "DUTY_AREAS",
    "Attempt",
    "AttemptSlot",
    "AttemptState",
    "GradingMethod",
    "Layout",
    "MultipleGrading",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionTag",
    "QuestionType",
    "QuestionVersion",
    "Quiz",
    "QuizItem",
    "ReviewPolicy",
]
