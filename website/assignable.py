"""What the site can assign besides kb's acknowledgements: quizzes as training (until courses register their
own types). Lives in the top layer because quizzes and assignments sit side by side and never import each
other; a pass fulfils the person's obligations in the grading transaction, a fail puts them in progress."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assignments.registry import TRAINING, TargetType, register
from assignments.services import obligation_fulfil, obligation_progress
from quizzes.models import Quiz
from quizzes.signals import attempt_graded


def register_targets() -> None:
    register(
        TargetType(
            key="quizzes.quiz",
            model=Quiz,
            label=_("Training quiz"),
            kind=TRAINING,
            url=lambda quiz: reverse("quiz_start", args=[quiz.pk]),
            title=lambda quiz: quiz.title,
        )
    )


@receiver(attempt_graded, dispatch_uid="website_quiz_fulfils_obligations")
def quiz_graded(sender, attempt, **kwargs) -> None:
    if attempt.passed:
        obligation_fulfil(
            user=attempt.user,
            target=attempt.quiz,
            at=attempt.submitted_at,
            record=attempt.record,
            score=attempt.score,
        )
    else:
        obligation_progress(user=attempt.user, target=attempt.quiz, done=0, total=1, at=attempt.submitted_at)
