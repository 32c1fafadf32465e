"""Team and profile pages: who may see whom, through the real URLs with the login wall on."""

import pytest
from django.urls import reverse


@pytest.fixture
def two_teams(make_staff):
    boss_a = make_staff("boss_a", groups=["Staff", "Supervisor"], display_name="甲組主管")
    boss_b = make_staff("boss_b", groups=["Staff", "Supervisor"], display_name="乙組主管")
    lead = make_staff("lead_a", supervisor=boss_a, groups=["Staff", "Supervisor"], display_name="甲組組長")
    a1 = make_staff("a1", supervisor=lead, groups=["Staff"], display_name="甲組組員")
    b1 = make_staff("b1", supervisor=boss_b, groups=["Staff"], display_name="乙組組員")
    return {"boss_a": boss_a, "boss_b": boss_b, "lead": lead, "a1": a1, "b1": b1}


def test_pages_require_login(client, two_teams):
    for url in ["/", reverse("team"), reverse("profile", args=[two_teams["a1"].pk]), reverse("my_profile")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_is_open_and_in_traditional_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="zh-Hant"' in response.content.decode()


def test_supervisor_team_lists_direct_and_indirect_reports_only(login, two_teams):
    response = login(two_teams["boss_a"].user).get(reverse("team"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲組組長" in html and "甲組組員" in html
    assert "乙組組員" not in html and "乙組主管" not in html


def test_supervisor_cannot_open_other_teams_profile(login, two_teams):
    client = login(two_teams["boss_a"].user)
    assert client.get(reverse("profile", args=[two_teams["a1"].pk])).status_code == 200
    refused = client.get(reverse("profile", args=[two_teams["b1"].pk]))
    assert refused.status_code == 403
    assert "乙組組員" not in refused.content.decode()


def test_staff_sees_own_profile_but_not_colleagues(login, two_teams):
    client = login(two_teams["a1"].user)
    assert client.get(reverse("profile", args=[two_teams["a1"].pk])).status_code == 200
    assert client.get(reverse("profile", args=[two_teams["lead"].pk])).status_code == 403
    assert client.get(reverse("team")).status_code == 403


def test_team_page_query_count_does_not_grow_with_team(
    login, two_teams, make_staff, django_assert_max_num_queries
):
    client = login(two_teams["boss_a"].user)
    client.get(reverse("team"))  # warm caches (permissions, session)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("team"))
    for n in range(30):
        make_staff(f"extra{n}", supervisor=two_teams["lead"], groups=["Staff"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("team"))
    assert response.content.decode().count('href="/people/') == 32  # lead, a1 and 30 new reports


def test_home_shows_name_department_position_supervisor(login, two_teams):
    from website.demo import ensure_site

    ensure_site()
    response = login(two_teams["a1"].user).get("/")
    html = response.content.decode()
    a1 = two_teams["a1"]
    assert response.status_code == 200
    for text in ["甲組組員", a1.department.name, a1.position.name, "甲組組長", "甲組主管"]:
        assert text in html


def test_language_switch_to_english(login, two_teams):
    from website.demo import ensure_site

    ensure_site()
    client = login(two_teams["a1"].user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Log out" in html
