"""The appraisal figures equal a hand-computed fixture (docs/appraisal.md, "Worked example")."""

import datetime

import pytest

from assignments.models import Status
from dashboards.periods import period_parse
from dashboards.selectors import Appraisal, appraisal_by_person
from people.models import StaffProfile

from .fixtures import attempt, hk, owe, target

pytestmark = pytest.mark.django_db
D = datetime.date
Q3 = period_parse("quarter", "2026-Q3")


@pytest.fixture
def example(make_staff):
    """Person A's duties in 2026 and person B, who owes nothing (the worked example of docs/appraisal.md)."""
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    a = make_staff("a", supervisor=boss, display_name="陳嘉欣")
    make_staff("b", supervisor=boss, display_name="李志明")
    course = [target(f"課程{n}") for n in range(10)]
    done_late, done_on = Status.COMPLETED_LATE, Status.COMPLETED_ON_TIME
    # 1. due 10 Jul, done 00:30 on 11 Jul in Hong Kong (still 10 Jul in UTC): late
    owe(a, course[1], due=D(2026, 7, 10), status=done_late, completed=hk(2026, 7, 11, 0, 30))
    # 2. due 31 Aug, done 5 Sep: late
    owe(a, course[2], due=D(2026, 8, 31), status=done_late, completed=hk(2026, 9, 5, 10))
    # 3. due 30 Sep, done 2 Oct (after the quarter): overdue at the quarter's close
    owe(a, course[3], due=D(2026, 9, 30), status=done_late, completed=hk(2026, 10, 2, 9))
    # 4. due 15 Sep, never started: overdue
    owe(a, course[4], due=D(2026, 9, 15), status=Status.OVERDUE)
    # 5. due 30 Jun (last quarter), done 3 Jul: not this quarter's
    owe(a, course[5], due=D(2026, 6, 30), status=done_late, completed=hk(2026, 7, 3, 9))
    # 6. due 5 Oct: next quarter's
    owe(a, course[6], due=D(2026, 10, 5))
    # 7. due 1 Aug but withdrawn: never counts
    owe(a, course[7], due=D(2026, 8, 1), status=Status.WITHDRAWN, withdrawn_at=hk(2026, 7, 1, 9))
    # 8. a procedure to acknowledge, due 20 Jul, done 23:30 on 20 Jul in Hong Kong: on time
    owe(
        a,
        course[8],
        due=D(2026, 7, 20),
        status=done_on,
        completed=hk(2026, 7, 20, 23, 30),
        key="kb.procedure",
    )
    # 9. a regulation update to acknowledge, due 1 Sep, not done: overdue
    owe(a, course[9], due=D(2026, 9, 1), status=Status.OVERDUE, key="kb.regulation")
    # quiz results: 80 on 5 Jul, 95 at 23:00 on 30 Sep (in), 100 at 01:00 on 1 Oct (out)
    attempt(a, course[1], graded=hk(2026, 7, 5, 10), score="80")
    attempt(a, course[1], graded=hk(2026, 9, 30, 23), score="95", number=2)
    attempt(a, course[1], graded=hk(2026, 10, 1, 1), score="100", number=3)
    return boss, a


def test_closed_quarter_matches_the_hand_computed_figures(example):
    _boss, a = example
    figures = appraisal_by_person(StaffProfile.objects.all(), Q3, now=hk(2026, 11, 1, 12))
    got = figures[a.pk]
    assert (got.assigned, got.completed, got.on_time, got.late, got.overdue) == (6, 3, 1, 2, 3)
    assert (got.acks_due, got.acks_done) == (2, 1)
    assert got.completion_rate == 0.5
    assert got.on_time_rate == round(1 / 6, 4)
    assert (got.attempts, got.average_score, float(got.best_score)) == (2, 87.5, 95.0)
    assert got.training_hours == 0
    b = StaffProfile.objects.get(user__username="b")
    assert b.pk not in figures
    assert Appraisal().completion_rate is None


def test_a_quarter_still_running_counts_up_to_now(example):
    _boss, a = example
    got = appraisal_by_person(StaffProfile.objects.all(), Q3, now=hk(2026, 8, 15, 12))[a.pk]
    # due in Q3: 1, 2, 3, 4, 8, 9; done by 15 Aug: 1 (late), 8 (on time); none due before 15 Aug is open
    assert (got.assigned, got.completed, got.on_time, got.overdue) == (6, 2, 1, 0)
    assert (got.attempts, got.average_score) == (1, 80.0)


def test_month_and_year_periods(example):
    _boss, a = example
    july = appraisal_by_person(
        StaffProfile.objects.all(), period_parse("month", "2026-07"), now=hk(2027, 1, 5, 9)
    )
    # due in July: 1 (late), 8 (on time)
    assert (july[a.pk].assigned, july[a.pk].completed, july[a.pk].on_time, july[a.pk].overdue) == (2, 2, 1, 0)
    year = appraisal_by_person(
        StaffProfile.objects.all(), period_parse("year", "2026"), now=hk(2027, 1, 5, 9)
    )
    # due in 2026: 1-6, 8, 9 (7 withdrawn); done by year end: 1, 2, 3, 5, 8; open past due: 4, 6, 9
    assert (year[a.pk].assigned, year[a.pk].completed, year[a.pk].on_time, year[a.pk].overdue) == (8, 5, 1, 3)
    assert year[a.pk].attempts == 3 and float(year[a.pk].best_score) == 100


def test_counts_read_only_the_people_asked_for(example):
    _boss, a = example
    other = StaffProfile.objects.exclude(pk=a.pk)
    assert appraisal_by_person(other, Q3, now=hk(2026, 11, 1)) == {}
