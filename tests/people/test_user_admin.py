"""Wagtail's user, group and workflow screens: nobody below a superuser hands out publish, approval or
user-management rights, and nobody changes their own groups (issue #9 item 1).

Every actor is a user in the real groups that people/roles.py creates.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from people.access import can_manage_user, grantable_groups, privileged_groups
from people.roles import AUDITOR, COMPLIANCE_OFFICER, CONTENT_EDITOR, HR, STAFF, SUPERVISOR, TRAINING_ADMIN
from tests.factories import DEMO_PASSWORD

User = get_user_model()
NEW_PASSWORD = "Harbour-Light-2026"


@pytest.fixture
def trainer(make_staff):
    return make_staff("trainer", groups=[STAFF, TRAINING_ADMIN]).user


@pytest.fixture
def clerk(make_staff):
    return make_staff("clerk", groups=[STAFF]).user


@pytest.fixture
def compliance(make_staff):
    return make_staff("compliance", groups=[STAFF, COMPLIANCE_OFFICER]).user


def group_ids(*names: str) -> list[int]:
    return [Group.objects.get(name=name).pk for name in names]


def user_form(username: str, *, groups=(), **extra) -> dict:
    data = {
        "username": username,
        "email": f"{username}@bank.example",
        "first_name": "大文",
        "last_name": "陳",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "groups": group_ids(*groups),
    }
    data.update(extra)
    return data


def names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_privileged_groups_are_the_ones_that_publish_approve_or_manage_users(db, feed_index):
    assert set(privileged_groups().values_list("name", flat=True)) == {
        AUDITOR,
        COMPLIANCE_OFFICER,
        TRAINING_ADMIN,
    }


def test_trainer_cannot_create_a_superuser(trainer, client):
    client.force_login(trainer)
    response = client.post(reverse("wagtailusers_users:add"), user_form("mallory", is_superuser="on"))
    assert not User.objects.filter(is_superuser=True).exists()
    if response.status_code == 302:  # the ticked box is ignored: the account exists without the flag
        mallory = User.objects.get(username="mallory")
        assert not mallory.is_superuser
        client.force_login(mallory)
        assert client.get("/admin/groups/").status_code in (302, 403)


def test_trainer_cannot_create_a_user_in_a_privileged_group(trainer, client):
    client.force_login(trainer)
    for group in (COMPLIANCE_OFFICER, TRAINING_ADMIN, AUDITOR):
        response = client.post(reverse("wagtailusers_users:add"), user_form("mallory", groups=[STAFF, group]))
        assert response.status_code == 200
        assert "groups" in response.context["form"].errors
        assert not User.objects.filter(username="mallory").exists()


def test_trainer_creates_ordinary_staff_logins(trainer, client):
    client.force_login(trainer)
    response = client.post(
        reverse("wagtailusers_users:add"), user_form("newcomer", groups=[STAFF, SUPERVISOR, CONTENT_EDITOR])
    )
    assert response.status_code == 302
    assert names(User.objects.get(username="newcomer")) == {STAFF, SUPERVISOR, CONTENT_EDITOR}


def test_the_create_form_offers_trainer_only_ordinary_roles(trainer, client):
    client.force_login(trainer)
    form = client.get(reverse("wagtailusers_users:add")).context["form"]
    offered = set(form.fields["groups"].queryset.values_list("name", flat=True))
    assert offered == {STAFF, SUPERVISOR, CONTENT_EDITOR, HR}  # HR reads only: not privileged
    assert form.fields["is_superuser"].disabled


def test_trainer_cannot_tick_a_privileged_group_on_their_own_account(trainer, client):
    client.force_login(trainer)
    url = reverse("wagtailusers_users:edit", args=[trainer.pk])
    client.post(
        url,
        user_form("trainer", groups=[STAFF, TRAINING_ADMIN, COMPLIANCE_OFFICER], password1="", password2=""),
    )
    assert names(trainer) == {STAFF, TRAINING_ADMIN}
    # not even a harmless one: their own groups are locked
    client.post(url, user_form("trainer", groups=[STAFF, TRAINING_ADMIN, HR], password1="", password2=""))
    assert names(trainer) == {STAFF, TRAINING_ADMIN}


def test_trainer_cannot_give_someone_else_a_privileged_group(trainer, clerk, client):
    client.force_login(trainer)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    response = client.post(
        url, user_form("clerk", groups=[STAFF, COMPLIANCE_OFFICER], password1="", password2="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["groups"]
    assert names(clerk) == {STAFF}
    response = client.post(
        url, user_form("clerk", groups=[STAFF, CONTENT_EDITOR], password1="", password2="")
    )
    assert response.status_code == 302
    assert names(clerk) == {STAFF, CONTENT_EDITOR}


@pytest.mark.parametrize("target", ["compliance", "root", "other_trainer"])
def test_trainer_cannot_edit_or_reset_the_password_of_a_privileged_account(
    trainer, compliance, superuser, make_staff, client, target
):
    victim = {
        "compliance": compliance,
        "root": superuser,
        "other_trainer": make_staff("trainer2", groups=[STAFF, TRAINING_ADMIN]).user,
    }[target]
    client.force_login(trainer)
    url = reverse("wagtailusers_users:edit", args=[victim.pk])
    assert client.get(url).status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    form = user_form(victim.username, groups=list(names(victim)))
    assert client.post(url, form).status_code in (302, 403)
    victim.refresh_from_db()
    assert victim.check_password(DEMO_PASSWORD)
    assert not can_manage_user(trainer, victim)


def test_nobody_changes_their_own_groups_not_even_a_superuser(superuser, client):
    client.force_login(superuser)
    url = reverse("wagtailusers_users:edit", args=[superuser.pk])
    client.post(url, user_form("root", groups=[AUDITOR], password1="", password2=""))
    assert names(superuser) == set()
    superuser.refresh_from_db()
    assert superuser.is_superuser


def test_a_superuser_grants_privileged_groups(superuser, clerk, client):
    client.force_login(superuser)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    response = client.post(
        url,
        user_form("clerk", groups=[STAFF, COMPLIANCE_OFFICER], password1="", password2="", is_active="on"),
    )
    assert response.status_code == 302
    assert names(clerk) == {STAFF, COMPLIANCE_OFFICER}


def bulk_url(action: str, *users) -> str:
    ids = "&".join(f"id={u.pk}" for u in users)
    return reverse("wagtail_bulk_action", args=["auth", "user", action]) + f"?{ids}&next=/admin/users/"


def test_bulk_assign_role_refuses_privileged_groups_and_oneself(trainer, clerk, client):
    client.force_login(trainer)
    compliance_group = Group.objects.get(name=COMPLIANCE_OFFICER)
    client.post(bulk_url("assign_role", clerk, trainer), {"role": compliance_group.pk})
    assert names(clerk) == {STAFF}
    assert names(trainer) == {STAFF, TRAINING_ADMIN}
    auditor_group = Group.objects.get(name=AUDITOR)
    client.post(bulk_url("assign_role", clerk), {"role": auditor_group.pk})
    assert names(clerk) == {STAFF}  # the audited do not choose their auditors
    editor_group = Group.objects.get(name=CONTENT_EDITOR)
    client.post(bulk_url("assign_role", clerk, trainer), {"role": editor_group.pk})
    assert names(clerk) == {STAFF, CONTENT_EDITOR}  # ordinary roles: fine for others
    assert names(trainer) == {STAFF, TRAINING_ADMIN}  # never for oneself
    assert compliance_group not in grantable_groups(trainer)
    assert auditor_group not in grantable_groups(trainer)


def test_bulk_assign_role_skips_privileged_accounts(trainer, compliance, client):
    client.force_login(trainer)
    client.post(bulk_url("assign_role", compliance), {"role": Group.objects.get(name=CONTENT_EDITOR).pk})
    assert names(compliance) == {STAFF, COMPLIANCE_OFFICER}


def test_bulk_deactivate_skips_superusers_and_privileged_accounts(
    trainer, compliance, superuser, clerk, client
):
    client.force_login(trainer)
    client.post(bulk_url("set_active_state", compliance, superuser, clerk), {"mark_as_active": "False"})
    for user in (compliance, superuser, clerk):
        user.refresh_from_db()
    assert compliance.is_active and superuser.is_active
    assert not clerk.is_active


def test_bulk_delete_refused_to_trainer(trainer, clerk, client):
    client.force_login(trainer)
    client.post(bulk_url("delete", clerk))
    assert User.objects.filter(pk=clerk.pk).exists()


def test_group_and_workflow_screens_are_closed_to_trainer(trainer, client):
    from wagtail.models import Workflow

    from kb.models import NoSelfApprovalTask
    from kb.services import APPROVAL_WORKFLOW_NAME

    client.force_login(trainer)
    compliance_group = Group.objects.get(name=COMPLIANCE_OFFICER)
    workflow = Workflow.objects.get(name=APPROVAL_WORKFLOW_NAME)
    task = NoSelfApprovalTask.objects.get()
    for url in (
        "/admin/groups/",
        "/admin/groups/new/",
        f"/admin/groups/edit/{compliance_group.pk}/",
        "/admin/workflows/list/",
        f"/admin/workflows/edit/{workflow.pk}/",
        "/admin/workflows/tasks/index/",
        f"/admin/workflows/tasks/edit/{task.pk}/",
    ):
        assert client.get(url).status_code in (302, 403), url
    before = set(compliance_group.permissions.values_list("pk", flat=True))
    client.post(f"/admin/groups/edit/{compliance_group.pk}/", {"name": "Training admin 2", "permissions": []})
    compliance_group.refresh_from_db()
    assert compliance_group.name == COMPLIANCE_OFFICER
    assert set(compliance_group.permissions.values_list("pk", flat=True)) == before
    training_group = Group.objects.get(name=TRAINING_ADMIN)
    client.post(f"/admin/workflows/tasks/edit/{task.pk}/", {"name": task.name, "groups": [training_group.pk]})
    assert list(task.groups.values_list("name", flat=True)) == [COMPLIANCE_OFFICER]
