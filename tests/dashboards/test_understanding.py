"""Weak understanding: first-attempt correctness per procedure step / procedure / duty area, weakest first,
only of the supervisor's team; org-wide for training admins."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.selectors import first_attempt_understanding
from people.models import StaffProfile
from quizzes.models import AttemptSlot, QuestionCategory
from quizzes.services import question_versions_current
from tests.quizzes.conftest import make_question
from website.demo import ensure_site

from .fixtures import attempt, hk, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(make_staff):
    home = ensure_site()
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    team = [make_staff(f"m{n}", supervisor=boss, groups=["Staff"]) for n in range(4)]
    peer = make_staff("peer", groups=["Staff", "Supervisor"])
    other = make_staff("other", supervisor=peer, groups=["Staff"])
    category = QuestionCategory.objects.create(name="投訴處理")
    step5 = make_question(category, options=[("對", 100), ("錯", 0)], name="補償審批")
    step2 = make_question(category, options=[("對", 100), ("錯", 0)], name="登記個案")
    for question, step in ((step5, "第 5 步：補償審批"), (step2, "第 2 步：登記個案")):
        question.tested_page = home
        question.tests_step = step
        question.duty_area = 2
        question.save()
    versions = question_versions_current([step5, step2])
    quiz = target("投訴處理測驗")

    def sit(person, number, right5, right2):
        a = attempt(person, quiz, graded=hk(2026, 7, 1, 9 + number), score="50", number=number)
        AttemptSlot.objects.create(
            attempt=a, position=1, version=versions[step5.pk], points=1, fraction=Decimal(1 if right5 else 0)
        )
        AttemptSlot.objects.create(
            attempt=a, position=2, version=versions[step2.pk], points=1, fraction=Decimal(1 if right2 else 0)
        )

    # the team: step 5 right 1 of 4 at first attempts, step 2 right 3 of 4; second attempts do not count
    for n, person in enumerate(team):
        sit(person, 1, right5=n == 0, right2=n != 0)
        sit(person, 2, right5=True, right2=True)
    sit(other, 1, right5=True, right2=True)  # a peer's report: never in boss's numbers
    return boss, team, other


def test_weakest_step_first_with_hand_counted_rates(answers):
    _boss, team, _other = answers
    people = StaffProfile.objects.filter(pk__in=[p.pk for p in team])
    rows = first_attempt_understanding(people)
    assert [(r.step, r.correct, r.answers, r.people) for r in rows] == [
        ("第 5 步：補償審批", 1, 4, 4),
        ("第 2 步：登記個案", 3, 4, 4),
    ]
    (procedure,) = first_attempt_understanding(people, by="procedure")
    assert (procedure.correct, procedure.answers) == (4, 8)
    (area,) = first_attempt_understanding(people, by="area")
    assert area.duty_area == 2


def test_page_shows_the_team_only_and_org_wide_for_training_admins(answers, login, make_staff):
    boss, _team, _other = answers
    page = login(boss.user).get(reverse("understanding"))
    assert page.status_code == 200
    assert [(r.correct, r.answers) for r, _p, _a in page.context["rows"]] == [(1, 4), (3, 4)]
    assert "25%" in page.content.decode()
    trainer = make_staff("trainer", groups=["Staff", "Training admin"])
    everyone = login(trainer.user).get(reverse("understanding"))
    assert [(r.correct, r.answers) for r, _p, _a in everyone.context["rows"]] == [(2, 5), (4, 5)]
    assert login(boss.user).get(reverse("understanding") + "?by=nonsense").status_code == 400
