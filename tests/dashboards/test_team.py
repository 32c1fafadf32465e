"""The team dashboard: a supervisor sees their own subtree only; org-wide roles see everyone; bad parameters
are 400s; the query count does not grow with the team."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assignments.models import Status
from website.demo import ensure_site

from .fixtures import bulk_team, hk, owe, target

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(db):
    ensure_site()


@pytest.fixture
def org(make_staff):
    boss = make_staff("boss", groups=["Staff", "Supervisor"], display_name="鍾振邦")
    lead = make_staff("lead", supervisor=boss, groups=["Staff", "Supervisor"], display_name="羅慧敏")
    mine = make_staff("mine", supervisor=lead, groups=["Staff"], display_name="林美玲")
    peer = make_staff("peer", groups=["Staff", "Supervisor"], display_name="另一主管")
    theirs = make_staff("theirs", supervisor=peer, groups=["Staff"], display_name="別組同事")
    aml, privacy = target("反洗錢年度培訓"), target("私隱條例培訓")
    owe(mine, aml, due=datetime.date(2026, 9, 1), status=Status.OVERDUE)
    owe(
        mine,
        privacy,
        due=datetime.date(2026, 8, 1),
        status=Status.COMPLETED_ON_TIME,
        completed=hk(2026, 7, 30, 9),
    )
    owe(theirs, aml, due=datetime.date(2026, 9, 1), status=Status.OVERDUE)
    return boss, lead, mine, peer, theirs


def test_supervisor_sees_their_subtree_with_coloured_cells(org, login):
    boss, _lead, _mine, _peer, _theirs = org
    response = login(boss.user).get(reverse("team_dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "林美玲" in page and "羅慧敏" in page
    assert "別組同事" not in page
    assert "cell--overdue" in page and "cell--completed_on_time" in page
    assert response.context["totals"] == {"owed": 2, "done": 1, "overdue": 1}
    assert "<svg" in page


def test_supervisor_cannot_reach_a_peers_people_by_any_url(org, login):
    boss, _lead, _mine, _peer, theirs = org
    client = login(boss.user)
    assert client.get(reverse("timeline", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("profile", args=[theirs.pk])).status_code == 403
    dept = theirs.department_id
    for url in (
        reverse("team_dashboard") + f"?department={dept}",
        reverse("appraisal") + f"?department={dept}",
    ):
        assert "別組同事" not in client.get(url).content.decode()
    csv = b"".join(client.get(reverse("appraisal") + "?format=csv&period=year&value=2026").streaming_content)
    assert "別組同事".encode() not in csv and "林美玲".encode() in csv


def test_staff_without_reports_get_403(org, make_staff, login):
    loner = make_staff("loner", groups=["Staff"])
    client = login(loner.user)
    assert client.get(reverse("team_dashboard")).status_code == 403
    assert client.get(reverse("appraisal")).status_code == 403


@pytest.mark.parametrize("role", ["HR", "Auditor", "Training admin"])
def test_org_wide_roles_see_everyone(org, make_staff, login, role):
    reader = make_staff(f"r_{role}", groups=[role])
    page = login(reader.user).get(reverse("team_dashboard")).content.decode()
    assert "林美玲" in page and "別組同事" in page


def test_filters_and_sorts(org, login):
    boss, _lead, _mine, *_ = org
    client = login(boss.user)
    overdue = client.get(reverse("team_dashboard") + "?status=overdue&sort=overdue")
    assert [p.display_name for p, _cells in overdue.context["rows"]] == ["林美玲"]
    by_progress = client.get(reverse("team_dashboard") + "?sort=progress")
    assert next(p.display_name for p, _c in by_progress.context["rows"]) == "林美玲"
    q3 = client.get(reverse("team_dashboard") + "?period=month&value=2026-08")
    assert q3.context["totals"] == {"owed": 1, "done": 1, "overdue": 0}
    item = q3.context["all_items"][0].ref
    assert client.get(reverse("team_dashboard") + f"?item={item}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?department=abc",
        "?department=-1",
        "?department=99999999999999999999999",
        "?item=1-x",
        "?status=withdrawn",
        "?sort=random",
        "?period=quarter&value=2026-Q9",
        "?period=custom&start=2026-02-30&end=2026-03-01",
    ],
)
def test_bad_parameters_are_400(org, login, query):
    boss, *_ = org
    client = login(boss.user)
    assert client.get(reverse("team_dashboard") + query).status_code == 400


def test_page_parameters_out_of_range_still_render(org, login):
    boss, *_ = org
    client = login(boss.user)
    assert client.get(reverse("team_dashboard") + "?page=999999&ipage=-3").status_code == 200


def test_query_count_is_the_same_for_50_and_500_reports(make_staff, login, django_assert_num_queries):
    items = [target(f"課程{n}") for n in range(12)]
    small_boss = make_staff("small", groups=["Staff", "Supervisor"])
    big_boss = make_staff("big", groups=["Staff", "Supervisor"])
    bulk_team(small_boss, 50, items, prefix="s")
    bulk_team(big_boss, 500, items, prefix="b")
    url = reverse("team_dashboard") + "?sort=overdue"
    counts = []
    for boss in (small_boss, big_boss):
        client = login(boss.user)
        client.get(url)  # warm the content-type cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert len(response.context["rows"]) == 25
        assert response.context["page_obj"].paginator.count == (50 if boss == small_boss else 500)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 25
    client = login(small_boss.user)
    with django_assert_num_queries(counts[0]):
        client.get(url)
