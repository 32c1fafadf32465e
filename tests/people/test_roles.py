"""Roles come from a data migration; auditors read and never write; supervisors stay out of the admin."""

import pytest
from django.contrib.auth.models import Group

from people.models import StaffProfile
from people.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def perms_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_migration_created_every_role_with_exactly_its_permissions():
    assert {g.name for g in Group.objects.all()} >= {r.name for r in ROLES}
    for role in ROLES:
        assert perms_of(role.name) == set(role.permissions), role.name


def test_sync_roles_resets_hand_made_changes():
    from django.contrib.auth.models import Permission

    auditor = Group.objects.get(name="Auditor")
    auditor.permissions.add(Permission.objects.get(codename="change_staffprofile"))
    sync_roles()
    assert "people.change_staffprofile" not in perms_of("Auditor")


def test_auditor_has_no_write_permission_anywhere():
    writes = {p for p in perms_of("Auditor") if p.split(".")[1].startswith(("add_", "change_", "delete_"))}
    assert writes == set()
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    assert not GroupPagePermission.objects.filter(group__name="Auditor").exists()
    assert not GroupCollectionPermission.objects.filter(group__name="Auditor").exists()


def test_auditor_reads_staff_in_admin_but_cannot_edit(make_staff, login):
    person = make_staff("someone", display_name="被查閱的人")
    auditor = make_staff("aud", groups=["Auditor"])
    client = login(auditor.user)
    listing = client.get("/admin/snippets/people/staffprofile/")
    assert listing.status_code == 200
    assert "被查閱的人" in listing.content.decode()
    edit_url = f"/admin/snippets/people/staffprofile/edit/{person.pk}/"
    assert client.get(edit_url).status_code in (302, 403)
    client.post(edit_url, {"display_name": "改了名字"})
    person.refresh_from_db()
    assert person.display_name == "被查閱的人"
    assert client.get(f"/admin/snippets/people/staffprofile/delete/{person.pk}/").status_code in (302, 403)
    assert StaffProfile.objects.filter(pk=person.pk).exists()


def test_supervisor_and_staff_cannot_open_admin(make_staff, login):
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    response = login(boss.user).get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_training_admin_edits_supervisor_through_admin_and_tree_follows(make_staff, login):
    from people.selectors import team_of

    boss_a = make_staff("boss_a")
    boss_b = make_staff("boss_b")
    worker = make_staff("worker", supervisor=boss_a)
    trainer = make_staff("trainer", groups=["Training admin"])
    client = login(trainer.user)
    url = f"/admin/snippets/people/staffprofile/edit/{worker.pk}/"
    form = {
        "user": worker.user_id,
        "employee_number": worker.employee_number,
        "display_name": worker.display_name,
        "department": worker.department_id,
        "position": worker.position_id,
        "supervisor": boss_b.pk,
        "hire_date": "2024-03-01",
        "is_active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [p.pk for p in team_of(boss_b)] == [worker.pk]
    assert list(team_of(boss_a)) == []


def test_admin_refuses_a_cycle_naming_the_supervisor_field(make_staff, login):
    boss = make_staff("boss")
    worker = make_staff("worker", supervisor=boss)
    trainer = make_staff("trainer", groups=["Training admin"])
    client = login(trainer.user)
    form = {
        "user": boss.user_id,
        "employee_number": boss.employee_number,
        "display_name": boss.display_name,
        "department": boss.department_id,
        "position": boss.position_id,
        "supervisor": worker.pk,
        "hire_date": "2024-03-01",
        "is_active": "on",
    }
    response = client.post(f"/admin/snippets/people/staffprofile/edit/{boss.pk}/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["supervisor"]
    boss.refresh_from_db()
    assert boss.supervisor_id is None


def test_deactivating_in_admin_disables_login(make_staff, login):
    worker = make_staff("leaver")
    trainer = make_staff("trainer", groups=["Training admin"])
    form = {
        "user": worker.user_id,
        "employee_number": worker.employee_number,
        "display_name": worker.display_name,
        "department": worker.department_id,
        "position": worker.position_id,
        "supervisor": "",
        "hire_date": "2024-03-01",
    }
    response = login(trainer.user).post(f"/admin/snippets/people/staffprofile/edit/{worker.pk}/", form)
    assert response.status_code == 302
    worker.refresh_from_db()
    worker.user.refresh_from_db()
    assert worker.is_active is False and worker.user.is_active is False


def test_deleting_a_staff_login_in_the_admin_is_refused_with_a_message(make_staff, superuser, login):
    from django.contrib.auth import get_user_model

    person = make_staff("leaver", display_name="離職同事")
    response = login(superuser).post(f"/admin/users/delete/{person.user_id}/", follow=True)
    assert response.status_code == 200
    assert "離職同事" in response.content.decode()
    assert get_user_model().objects.filter(pk=person.user_id).exists()
