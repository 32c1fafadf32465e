"""Demo assignment rules and a realistic mix relative to today: on time, late, overdue, due soon, upcoming.

Rules: onboarding for recent hires, the annual AML training for the branch and the phone-banking centre,
information security for everyone, and a supervisors' read of the newest regulation update. The quiz history
of the demo (quizzes/demo.py) is replayed through ``obligation_fulfil`` so completions land on time or late
against the backdated assignment dates. Idempotent: a second run only re-syncs.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from assignments.daily import daily_run
from assignments.models import AssignmentRule, DueKind, Obligation
from assignments.services import (
    audience_materialise,
    obligation_assign,
    obligation_fulfil,
    obligation_progress,
    rules_materialise,
)
from kb.models import RegulationUpdatePage
from people.models import Department, StaffProfile
from people.roles import SUPERVISOR
from quizzes.models import Attempt, AttemptState, Quiz

DAY = datetime.timedelta(days=1)
ONBOARDING, AML, INFOSEC, COMPLAINTS = (
    "新員工入職培訓",
    "反洗錢與反欺詐年度培訓",
    "信息安全與客戶隱私保護",
    "客戶投訴處理實務",
)


def _rule(name: str, target, *, created_by, departments=(), groups=(), **fields) -> AssignmentRule:
    rule = AssignmentRule.objects.create(
        name=name,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        created_by=created_by,
        **fields,
    )
    rule.audience_departments.set(departments)
    rule.audience_groups.set(groups)
    return rule


def _backdate(
    rule: AssignmentRule, *, assigned_days_ago: int, due: datetime.date, hire_days: int = 30
) -> None:
    """The rule was written ``assigned_days_ago``; people hired since owe it ``hire_days`` after joining."""
    now = timezone.now()
    assigned = now - assigned_days_ago * DAY
    for ob in Obligation.objects.filter(rule=rule).select_related("person"):
        hired_later = ob.person.hire_date > timezone.localdate(assigned)
        Obligation.objects.filter(pk=ob.pk).update(
            assigned_at=now if hired_later else assigned,
            due_date=ob.person.hire_date + hire_days * DAY if hired_later else due,
        )


def _replay_quiz_history(quiz: Quiz) -> None:
    """Graded attempts of the demo, oldest first, as the grading would have reported them."""
    attempts = (
        Attempt.objects.filter(quiz=quiz, state=AttemptState.GRADED)
        .select_related("user", "quiz", "record")
        .order_by("submitted_at", "pk")
    )
    for attempt in attempts:
        if attempt.passed:
            obligation_fulfil(
                user=attempt.user,
                target=quiz,
                at=attempt.submitted_at,
                record=attempt.record,
                score=attempt.score,
            )
        else:
            obligation_progress(user=attempt.user, target=quiz, done=0, total=1, at=attempt.submitted_at)
    for attempt in Attempt.objects.filter(quiz=quiz, state=AttemptState.IN_PROGRESS).select_related("user"):
        obligation_progress(user=attempt.user, target=quiz, done=1, total=3, at=attempt.started_at)


@transaction.atomic
def load_assignments() -> str:
    if AssignmentRule.objects.exists():
        changes = audience_materialise()
        changes += rules_materialise()
        return f"assignment rules already loaded ({changes.created} obligations topped up)"
    quizzes = {
        quiz.title: quiz for quiz in Quiz.objects.filter(title__in=[ONBOARDING, AML, INFOSEC, COMPLAINTS])
    }
    if len(quizzes) < 4:
        return "assignment rules skipped: the demo quizzes are missing"
    today = timezone.localdate()
    trainer = get_user_model().objects.filter(username="trainer").first()
    departments = {d.code: d for d in Department.objects.all()}

    onboarding = _rule(
        "新入職同事：入職培訓（入職後 30 日內）",
        quizzes[ONBOARDING],
        created_by=trainer,
        audience_hired_on_or_after=today - 120 * DAY,
        due_kind=DueKind.AFTER_HIRE,
        due_days=30,
    )
    aml = _rule(
        "分行及電話理財中心：反洗錢與反欺詐年度培訓",
        quizzes[AML],
        created_by=trainer,
        departments=[departments[code] for code in ("CSD-BR", "CSD-PB") if code in departments],
        due_kind=DueKind.AFTER_ASSIGNMENT,
        due_days=30,
        recurrence_months=12,
    )
    infosec = _rule(
        "全體員工：信息安全與客戶隱私保護（年度）",
        quizzes[INFOSEC],
        created_by=trainer,
        audience_all=True,
        due_kind=DueKind.FIXED,
        due_date=today + 10 * DAY,
        recurrence_months=12,
    )
    rules = [onboarding, aml, infosec]
    newest = RegulationUpdatePage.objects.live().order_by("-first_published_at").first()
    if newest is not None:
        rules.append(
            _rule(
                "各組主管：最新法規動態確認（發布後 5 日內）",
                newest,
                created_by=trainer,
                groups=Group.objects.filter(name=SUPERVISOR),
                due_kind=DueKind.AFTER_ASSIGNMENT,
                due_days=5,
                mandatory=True,
            )
        )
    for rule in rules:
        rules_materialise(rule)
    _backdate(aml, assigned_days_ago=40, due=today - 10 * DAY)  # the campaign closed ten days ago
    _backdate(infosec, assigned_days_ago=20, due=today + 10 * DAY)
    for title in (ONBOARDING, AML, INFOSEC):
        _replay_quiz_history(quizzes[title])

    supervisor = StaffProfile.objects.filter(user__username="supervisor2").select_related("user").first()
    report = StaffProfile.objects.filter(user__username="staff05").first()
    if supervisor and report:
        obligation_assign(
            by_user=supervisor.user, person=report, target=quizzes[COMPLAINTS], due_date=today + 20 * DAY
        )
    report = daily_run(today)  # overdue marking, reminders and escalations, as the morning run would
    return (
        f"{len(rules)} assignment rules, {Obligation.objects.count()} obligations, "
        f"{sum(report.reminders.values())} reminders"
    )
