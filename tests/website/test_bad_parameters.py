"""#9 item 10: numbers in URLs that are huge, negative or text answer 400 or 404 with a message, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

from core.params import MAX_ID, IdConverter, parse_int

pytestmark = pytest.mark.django_db

BAD = ["99999999999999999999", "-1", "abc"]


@pytest.fixture
def client_500(client: Client) -> Client:
    """A client that turns a server error into a response (not a raised exception), as a browser sees it."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def compliance(make_staff, client_500):
    client_500.force_login(make_staff("co", groups=["Compliance officer"]).user)
    return client_500


@pytest.mark.parametrize("value", BAD)
def test_search_area(compliance, area, value):
    response = compliance.get("/search/", {"q": "投訴", "area": value})
    assert response.status_code == 400
    assert "area" in response.content.decode()
    assert compliance.get("/search/", {"q": "投訴", "area": ""}).status_code == 200  # "all areas"
    assert compliance.get("/search/", {"q": "投訴", "area": str(area.pk)}).status_code == 200


@pytest.mark.parametrize("value", BAD)
def test_team_department(compliance, value):
    response = compliance.get("/team/", {"department": value})
    assert response.status_code == 400
    assert "department" in response.content.decode()


def test_team_department_that_is_a_number_still_filters(compliance, make_staff):
    person = make_staff("someone")
    html = compliance.get("/team/", {"department": str(person.department_id)}).content.decode()
    assert person.display_name in html


@pytest.mark.parametrize("value", [*BAD, "0", "٣"])
@pytest.mark.parametrize(
    "template",
    [
        "/regulations/{}/trace/",
        "/regulations/{}/trace.csv",
        "/regulations/{}/trace.xlsx",
        "/admin/procedures/{}/reviewed/",
        "/people/{}/",
        "/quizzes/{}/",
        "/quizzes/attempts/{}/result/",
        "/admin/quizzes/{}/results/",
    ],
)
def test_path_ids(superuser, client_500, template, value):
    client_500.force_login(superuser)
    assert client_500.get(template.format(value)).status_code == 404


def test_wagtail_admin_ids_out_of_range_are_404(superuser, client_500):
    """Wagtail's own admin routes take any digits; the middleware turns the driver's overflow into 404."""
    client_500.force_login(superuser)
    assert client_500.get("/admin/pages/99999999999999999999/edit/").status_code == 404


def test_acknowledging_a_huge_version_number_is_a_message(make_procedure, make_staff, client_500):
    page = make_procedure()
    client_500.force_login(make_staff("reader").user)
    response = client_500.post(page.url + "acknowledge/", {"version": "99999999999999999999"})
    assert response.status_code == 302


def test_parsers():
    assert parse_int("42") == 42
    assert parse_int(" 42 ") == 42
    assert parse_int(str(MAX_ID)) == MAX_ID
    for bad in [None, "", str(MAX_ID + 1), "-1", "0", "abc", "4.2", "²", "١٢", "1e3"]:
        assert parse_int(bad) is None, bad
    assert parse_int("-1", minimum=-5) == -1
    with pytest.raises(ValueError):
        IdConverter().to_python(str(MAX_ID + 1))
    assert IdConverter().to_python("7") == 7
