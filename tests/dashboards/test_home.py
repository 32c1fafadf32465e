"""The home page agrees with the menu and the team page; tags and the password page are reachable
(issue #9 item 22)."""

import pytest
from django.urls import reverse

from kb.models import ProcedurePage
from website.demo import ensure_site


@pytest.fixture(autouse=True)
def home(db):
    return ensure_site()


@pytest.fixture
def org(make_staff):
    boss = make_staff("supervisor1", groups=["Staff", "Supervisor"])
    team = [make_staff(f"staff{n:02d}", supervisor=boss, groups=["Staff"]) for n in range(1, 4)]
    make_staff("staff99", supervisor=team[0], groups=["Staff"])  # an indirect report
    make_staff("leaver", supervisor=boss, is_active=False)
    return boss


def team_heading_and_count(client) -> tuple[str, int]:
    response = client.get(reverse("team"))
    return response.context["own_team"], response.context["page_obj"].paginator.count


@pytest.mark.parametrize(
    ("username", "groups"),
    [
        ("trainer", ["Staff", "Training admin"]),
        ("compliance", ["Staff", "Compliance officer"]),
        ("auditor", ["Staff", "Auditor"]),
    ],
)
def test_org_wide_roles_see_the_directory_size_on_home_and_in_the_menu(
    org, make_staff, login, username, groups
):
    client = login(make_staff(username, groups=groups).user)
    own_team, listed = team_heading_and_count(client)
    assert own_team is False and listed == 6  # every active profile, the viewer included
    home = client.get("/")
    html = home.content.decode()
    assert home.context["team_size"] == listed
    assert "員工名錄" in html and "在職員工" in html
    nav = {item["key"]: item["label"] for item in home.context["nav_items"]}
    assert str(nav["team"]) == "員工名錄"


def test_a_supervisor_sees_their_team_size_on_home_and_in_the_menu(org, login):
    client = login(org.user)
    own_team, listed = team_heading_and_count(client)
    assert own_team is True and listed == 4
    home = client.get("/")
    assert home.context["team_size"] == 4
    assert "我的團隊" in home.content.decode()
    nav = {item["key"]: item["label"] for item in home.context["nav_items"]}
    assert str(nav["team"]) == "我的團隊"


def test_tags_link_to_everything_with_that_tag(make_procedure, make_staff, login):
    tagged = make_procedure("SOP-CS-003")
    page = ProcedurePage.objects.get(pk=tagged.pk)
    page.tags.add("投訴")
    page.save_revision().publish()
    other = make_procedure("SOP-CS-004", title="客戶資料更新程序", slug="sop-cs-004")
    client = login(make_staff("staff01", groups=["Staff"]).user)
    html = client.get(tagged.url).content.decode()
    link = reverse("search") + "?tag=%E6%8A%95%E8%A8%B4"
    assert f'href="{link}"' in html
    listing = client.get(link).content.decode()
    assert "SOP-CS-003" in listing and other.code not in listing
    assert "標籤「投訴」" in listing


def test_the_password_page_is_linked_from_the_user_menu_and_profile(make_staff, login):
    me = make_staff("staff01", groups=["Staff"])
    client = login(me.user)
    assert reverse("password_change") in client.get("/").content.decode()
    assert reverse("password_change") in client.get(reverse("profile", args=[me.pk])).content.decode()
    assert client.get(reverse("password_change")).status_code == 200
