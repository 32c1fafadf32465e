"""HR reads every record org-wide and changes nothing; nor does the auditor (real groups, no grants)."""

import pytest
from django.contrib.auth.models import Group

from people.models import Department, StaffProfile
from people.roles import AUDITOR, HR, STAFF, SUPERVISOR

pytestmark = pytest.mark.django_db

READERS = [(HR, (STAFF, HR)), (AUDITOR, (AUDITOR,))]


def perms_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_hr_group_exists_with_read_permissions_only():
    perms = perms_of(HR)
    assert {"people.view_all_staff", "ledger.view_record", "quizzes.view_results"} <= perms
    assert {
        p for p in perms if p.split(".")[1].startswith(("add_", "change_", "delete_", "import_"))
    } == set()
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    assert not GroupPagePermission.objects.filter(group__name=HR).exists()
    assert not GroupCollectionPermission.objects.filter(group__name=HR).exists()


@pytest.fixture
def org(make_staff):
    boss = make_staff("boss", groups=[STAFF, SUPERVISOR], display_name="鍾主管")
    worker = make_staff("worker", supervisor=boss, groups=[STAFF], display_name="被查閱的人")
    other_boss = make_staff("other_boss", groups=[STAFF, SUPERVISOR], display_name="另一主管")
    other = make_staff("other", supervisor=other_boss, groups=[STAFF], display_name="另一組員工")
    return boss, worker, other


@pytest.mark.parametrize(("role", "groups"), READERS)
def test_reader_sees_everyone_on_the_team_page_and_every_profile(org, make_staff, login, role, groups):
    _boss, worker, other = org
    reader = make_staff(f"reader_{role}", groups=list(groups))
    client = login(reader.user)
    page = client.get("/team/").content.decode()
    assert "被查閱的人" in page and "另一組員工" in page
    assert client.get(f"/people/{worker.pk}/").status_code == 200
    assert client.get(f"/people/{other.pk}/").status_code == 200
    assert client.get("/admin/ledger/records/").status_code == 200
    assert client.get("/admin/snippets/people/staffprofile/").status_code == 200


@pytest.mark.parametrize(("role", "groups"), READERS)
def test_reader_changes_nothing_in_the_admin(org, make_staff, login, role, groups):
    _boss, worker, _other = org
    reader = make_staff(f"reader_{role}", groups=list(groups))
    client = login(reader.user)
    before = (StaffProfile.objects.count(), Department.objects.count(), Group.objects.count())
    edit_url = f"/admin/snippets/people/staffprofile/edit/{worker.pk}/"
    assert client.get(edit_url).status_code in (302, 403)
    client.post(edit_url, {"display_name": "改了名字", "employee_number": worker.employee_number})
    client.post(f"/admin/snippets/people/staffprofile/delete/{worker.pk}/")
    client.post("/admin/snippets/people/department/add/", {"code": "X1", "name": "新部門"})
    client.post(f"/admin/users/{worker.user_id}/", {"username": "renamed"})
    client.post("/admin/groups/add/", {"name": "新角色"})
    worker.refresh_from_db()
    assert worker.display_name == "被查閱的人"
    assert worker.user.username == "worker"
    assert (StaffProfile.objects.count(), Department.objects.count(), Group.objects.count()) == before


def test_supervisor_is_not_hr(org, login):
    boss, _worker, other = org
    client = login(boss.user)
    assert client.get(f"/people/{other.pk}/").status_code == 403
    assert "另一組員工" not in client.get("/team/").content.decode()
