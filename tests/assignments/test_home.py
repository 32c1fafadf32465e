"""My workbench (the home page): urgency order, progress bars, recent results, a constant query count."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assignments.daily import daily_run
from assignments.models import AssignmentRule
from assignments.services import obligation_fulfil, obligation_progress
from people.models import Position
from website.demo import ensure_site

DAY = datetime.timedelta(days=1)


def _courses(n, start=0):
    return [Position.objects.create(code=f"C{i:03d}", name=f"課程{i}") for i in range(start, start + n)]


def _rules(courses, make_rule, **fields):
    return [make_rule(f"規則{c.pk}", target=c, audience_all=True, **fields) for c in courses]


def test_home_groups_by_urgency_with_progress_and_results(make_staff, make_rule, make_procedure, login):
    ensure_site()
    person = make_staff("newhire1", groups=["Staff"])
    overdue, soon, later, started, done = _courses(5)
    make_rule(
        "逾期", target=overdue, audience_all=True, due_kind="fixed", due_date=timezone.localdate() - 2 * DAY
    )
    make_rule("即將", target=soon, audience_all=True, due_days=5)
    make_rule("稍後", target=later, audience_all=True, due_days=60)
    make_rule("進行中", target=started, audience_all=True, due_days=40)
    make_rule("完成", target=done, audience_all=True, due_days=40)
    obligation_progress(user=person.user, target=started, done=3, total=4)
    obligation_fulfil(user=person.user, target=done, at=timezone.now(), score=92)
    make_procedure()

    response = login(person.user).get("/")
    work = response.context["work"]
    assert [i.title for i in work.overdue] == [overdue.name]
    assert [i.title for i in work.due_soon] == [soon.name]
    assert [i.title for i in work.in_progress] == [started.name]
    assert [i.title for i in work.upcoming] == [later.name]
    assert [ob.title for ob in work.recent] == [done.name]
    assert len(response.context["pending_acks"]) == 1
    html = response.content.decode()
    assert (
        html.index(overdue.name) < html.index(soon.name) < html.index("SOP-CS-003") < html.index(started.name)
    )
    assert '<progress max="100" value="75"' in html
    assert "逾期 2 日" in html


def test_home_query_count_does_not_grow_with_obligations(
    make_staff, make_rule, make_procedure, login, django_assert_num_queries
):
    ensure_site()
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    person = make_staff("staff05", supervisor=boss, groups=["Staff"])
    _rules(_courses(2), make_rule, due_days=10)
    make_procedure("SOP-CS-001")
    client = login(person.user)
    client.get("/")

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    small = len(ctx.captured_queries)
    _rules(_courses(6, start=10), make_rule, due_days=3)
    make_procedure("SOP-CS-002"), make_procedure("SOP-CS-004")
    daily_run(timezone.localdate() + 5 * DAY)  # some overdue, reminders in the inbox
    with django_assert_num_queries(small):
        assert client.get("/").status_code == 200
    assert AssignmentRule.objects.count() == 8 and ContentType.objects.exists()


def test_a_long_list_to_acknowledge_shows_eight_and_folds_the_rest(make_staff, make_procedure, login):
    """A new hire owes dozens of procedures: the eight due first stay in view, the rest fold under one control
    that says how many; nothing is dropped."""
    from dashboards.models import ACKS_IN_VIEW

    ensure_site()
    person = make_staff("newhire1", groups=["Staff"])
    codes = [f"SOP-CS-{n:03d}" for n in range(1, 12)]
    for code in codes:
        make_procedure(code)

    response = login(person.user).get("/")
    assert ACKS_IN_VIEW == 8
    assert response.context["ack_count"] == 11
    in_view = len(response.context["pending_acks"]) + len(response.context["other_acks"])
    folded = len(response.context["more_pending_acks"]) + len(response.context["more_other_acks"])
    assert (in_view, folded, response.context["more_ack_count"]) == (8, 3, 3)
    html = response.content.decode()
    assert "顯示其餘 3 項待確認" in html
    fold = html.index('<details class="todo__more">')
    assert all(code in html for code in codes)
    assert sum(html.index(code) > fold for code in codes) == 3


def test_a_short_list_to_acknowledge_has_no_fold(make_staff, make_procedure, login):
    ensure_site()
    person = make_staff("newhire1", groups=["Staff"])
    make_procedure("SOP-CS-001")
    html = login(person.user).get("/").content.decode()
    assert "SOP-CS-001" in html and "todo__more" not in html
