"""Every "may not" in docs/roles/*.md that no other test covers, as a user in the real groups of
people/roles.py (issue #15 item 3). The others: test_user_admin.py (training admin and logins),
test_roles.py and test_views.py (staff, supervisors, auditors), tests/kb/test_workflow.py (approval),
tests/kb/test_review.py and tests/kb/test_auditor.py (reviews, auditors), tests/ledger/test_admin.py."""

import pytest
from django.urls import reverse

from people.models import StaffProfile
from people.roles import AUDITOR, COMPLIANCE_OFFICER, CONTENT_EDITOR, STAFF, SUPERVISOR, TRAINING_ADMIN

ROLES = {
    "staff": [STAFF],
    "supervisor": [STAFF, SUPERVISOR],
    "editor": [STAFF, CONTENT_EDITOR],
    "compliance": [STAFF, COMPLIANCE_OFFICER],
    "trainer": [STAFF, TRAINING_ADMIN],
    "auditor": [STAFF, AUDITOR],
}


def refused(response) -> bool:
    return (
        response.status_code == 403
        or (response.status_code == 302 and "/login/" in response["Location"])
        or (response.status_code == 302 and response["Location"] == "/admin/")
    )


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_staff_and_supervisors_may_not_open_the_admin(make_staff, login, role):
    client = login(make_staff(role, groups=ROLES[role]).user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["editor", "compliance", "auditor"])
def test_only_the_training_admin_manages_staff_and_logins(make_staff, login, role):
    person = make_staff("someone", display_name="原名")
    client = login(make_staff(role, groups=ROLES[role]).user)
    for url in ("/admin/users/", "/admin/users/new/", f"/admin/users/edit/{person.user_id}/"):
        assert refused(client.get(url)), url
    edit = f"/admin/snippets/people/staffprofile/edit/{person.pk}/"
    assert refused(client.get(edit))
    client.post(edit, {"display_name": "改了名字", "employee_number": person.employee_number})
    client.post(f"/admin/users/edit/{person.user_id}/", {"username": "someone", "email": "x@evil.example"})
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert person.display_name == "原名" and person.user.email == "someone@bank.example"
    assert refused(client.post("/admin/people/import/"))


@pytest.mark.parametrize("role", ["staff", "supervisor", "editor"])
def test_who_may_not_read_the_evidence_ledger(make_staff, login, role):
    client = login(make_staff(role, groups=ROLES[role]).user)
    assert refused(client.get("/admin/ledger/records/"))


@pytest.mark.parametrize("role", ["editor", "compliance", "trainer"])
def test_nobody_below_a_superuser_publishes_a_procedure_directly(make_procedure, make_staff, login, role):
    from tests.kb.test_workflow import edit_form_data

    page = make_procedure()
    live = page.live_revision_id
    user = make_staff(role, groups=ROLES[role]).user
    assert not page.permissions_for_user(user).can_publish()
    login(user).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, title="未經審批的版本", change_summary="直接發布。", **{"action-publish": "1"}),
    )
    page.refresh_from_db()
    assert page.live_revision_id == live and page.title != "未經審批的版本"


def test_the_training_admin_may_not_delete_a_staff_profile(make_staff, login):
    person = make_staff("leaver")
    client = login(make_staff("trainer", groups=ROLES["trainer"]).user)
    client.post(f"/admin/snippets/people/staffprofile/delete/{person.pk}/")
    assert StaffProfile.objects.filter(pk=person.pk).exists()
