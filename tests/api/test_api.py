"""The HR API: token auth, read-only, scoped like the team page; a supervisor cannot see a peer's team by any
call; the OpenAPI schema is valid and every endpoint survives schemathesis (no 5xx, responses match)."""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from assignments.models import Status
from tests.dashboards.fixtures import attempt, hk, owe, target

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def org(make_staff):
    boss = make_staff("boss", groups=["Staff", "Supervisor"], display_name="鍾振邦")
    mine = make_staff("mine", supervisor=boss, groups=["Staff"], display_name="林美玲")
    peer = make_staff("peer", groups=["Staff", "Supervisor"], display_name="另一主管")
    theirs = make_staff("theirs", supervisor=peer, groups=["Staff"], display_name="別組同事")
    course = target("反洗錢年度培訓")
    owe(mine, course, due=D(2026, 7, 10), status=Status.COMPLETED_ON_TIME, completed=hk(2026, 7, 9, 9))
    ob_theirs = owe(
        theirs, course, due=D(2026, 7, 10), status=Status.COMPLETED_LATE, completed=hk(2026, 7, 20, 9)
    )
    attempt(mine, course, graded=hk(2026, 7, 9, 8), score="88")
    attempt(theirs, course, graded=hk(2026, 7, 9, 8), score="55")
    return boss, mine, peer, theirs, ob_theirs


def api(client, user):
    token, _created = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def names(response) -> set[str]:
    text = response.content.decode()
    return {name for name in ("林美玲", "別組同事") if name in text}


def test_no_token_is_401_and_staff_without_a_team_403(org, client, make_staff):
    assert client.get("/api/v1/people/").status_code == 401
    loner = make_staff("loner", groups=["Staff"])
    assert api(client, loner.user).get("/api/v1/people/").status_code == 403


def test_supervisor_sees_only_their_subtree_by_any_call(org, client):
    boss, mine, _peer, theirs, ob_theirs = org
    c = api(client, boss.user)
    for url in (
        "/api/v1/people/",
        "/api/v1/assignments/",
        "/api/v1/completions/",
        "/api/v1/appraisal/?period=year&value=2026",
        "/api/v1/xapi/completions/",
        "/api/v1/xapi/quiz-results/",
    ):
        response = c.get(url)
        assert response.status_code == 200, url
        assert names(response) == {"林美玲"} or "xapi" in url or "assignments" in url or "completions" in url
        assert "別組同事" not in response.content.decode(), url
    assert c.get(f"/api/v1/people/{theirs.pk}/").status_code == 404
    assert c.get(f"/api/v1/assignments/{ob_theirs.pk}/").status_code == 404
    assert c.get(f"/api/v1/completions/{ob_theirs.pk}/").status_code == 404
    assert c.get(f"/api/v1/assignments/?person={theirs.pk}").json()["count"] == 0
    assert c.get("/api/v1/assignments/").json()["count"] == 1
    assert c.get(f"/api/v1/people/{mine.pk}/").json()["name"] == "林美玲"


@pytest.mark.parametrize("role", ["HR", "Auditor"])
def test_org_wide_roles_see_everyone_and_cannot_write(org, client, make_staff, role):
    reader = make_staff(f"r_{role}", groups=[role])
    c = api(client, reader.user)
    assert names(c.get("/api/v1/people/?page_size=500")) == {"林美玲", "別組同事"}
    assert c.get("/api/v1/assignments/").json()["count"] == 2
    _boss, mine, *_ = org
    assert c.post("/api/v1/people/", {"name": "x"}, content_type="application/json").status_code == 405
    assert c.delete(f"/api/v1/people/{mine.pk}/").status_code == 405
    assert c.patch(f"/api/v1/people/{mine.pk}/", {}, content_type="application/json").status_code == 405


def test_appraisal_figures_and_xapi_statements(org, client):
    boss, mine, *_ = org
    c = api(client, boss.user)
    rows = c.get("/api/v1/appraisal/?period=quarter&value=2026-Q3").json()["results"]
    assert rows == [
        {
            "person_id": mine.pk,
            "employee_number": mine.employee_number,
            "name": "林美玲",
            "department": mine.department.name,
            "period": "2026-Q3",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "assigned": 1,
            "completed": 1,
            "completed_on_time": 1,
            "completed_late": 0,
            "overdue": 0,
            "completion_rate": 1.0,
            "on_time_rate": 1.0,
            "average_score": 88.0,
            "best_score": 88.0,
            "quiz_attempts": 1,
            "acknowledgements_due": 0,
            "acknowledgements_done": 0,
            "training_hours": 0.0,
        }
    ]
    statements = c.get("/api/v1/xapi/quiz-results/").json()["results"]
    assert len(statements) == 1
    statement = statements[0]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["result"]["score"] == {"raw": 88.0, "min": 0, "max": 100, "scaled": 0.88}
    assert statement["actor"]["account"]["name"] == mine.employee_number
    again = c.get("/api/v1/xapi/quiz-results/").json()["results"][0]
    assert again["id"] == statement["id"]  # stable ids: an LRS keeps one copy
    completion = c.get("/api/v1/xapi/completions/").json()["results"][0]
    assert completion["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completion["result"]["success"] is True


@pytest.mark.parametrize(
    "query",
    ["period=week", "period=quarter&value=2026-Q9", "period=custom&start=x&end=y", "value=99999999999999999"],
)
def test_bad_periods_are_400_naming_the_parameter(org, client, query):
    boss, *_ = org
    response = api(client, boss.user).get(f"/api/v1/appraisal/?period=quarter&{query}")
    assert response.status_code == 400
    assert "period" in response.json()


@pytest.mark.parametrize(
    "query", ["status=done", "person=-1", "person=99999999999999999999", "due_from=2026-02-30", "person=abc"]
)
def test_bad_filters_are_400(org, client, query):
    boss, *_ = org
    assert api(client, boss.user).get(f"/api/v1/assignments/?{query}").status_code == 400


def test_huge_ids_are_404(org, client):
    boss, *_ = org
    assert api(client, boss.user).get("/api/v1/people/99999999999999999999999/").status_code == 404


@pytest.fixture
def hr_schema(org, make_staff, settings):
    settings.ALLOWED_HOSTS = ["*"]
    reader = make_staff("hr_fuzz", groups=["HR"])
    token, _created = Token.objects.get_or_create(user=reader.user)
    headers = {"Authorization": f"Token {token.key}"}
    # The real WSGI handler closes the database connection after each request, which on PostgreSQL ends the
    # test's transaction; Django's test client keeps it open the same way, by leaving these signals out.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)
        yield schema, headers
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schema_is_served_and_valid(hr_schema):
    schema, _headers = hr_schema
    paths = set(schema.raw_schema["paths"])
    assert {"/api/v1/people/", "/api/v1/appraisal/", "/api/v1/xapi/quiz-results/"} <= paths


def test_every_endpoint_fuzzed_no_5xx_and_responses_match_the_schema(hr_schema):
    schema, headers = hr_schema
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        run()
        checked += 1
    assert checked >= 9
