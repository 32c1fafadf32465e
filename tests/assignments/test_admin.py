"""Training admins write rules in the Wagtail admin; obligations are listed read-only."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from assignments.models import AssignmentRule, Obligation
from people.roles import AUDITOR, STAFF, TRAINING_ADMIN


def test_training_admin_creates_a_rule_and_it_materialises(
    make_staff, course, login, django_capture_on_commit_callbacks
):
    admin = make_staff("trainer", groups=[STAFF, TRAINING_ADMIN])
    make_staff("p1"), make_staff("p2")
    client = login(admin.user)
    url = reverse("wagtailsnippets_assignments_assignmentrule:add")
    assert client.get(url).status_code == 200
    ct = ContentType.objects.get_for_model(course)
    data = {
        "name": "全體員工：反洗錢年度培訓",
        "target_choice": f"{ct.pk}:{course.pk}",
        "audience_all": "on",
        "due_kind": "after_assignment",
        "due_days": "30",
        "mandatory": "on",
        "is_active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get()
    assert rule.created_by == admin.user and rule.target == course
    assert Obligation.objects.filter(rule=rule).count() == 3  # everyone active, the trainer included


def test_rule_form_names_the_bad_field(make_staff, course, login):
    client = login(make_staff("trainer", groups=[STAFF, TRAINING_ADMIN]).user)
    url = reverse("wagtailsnippets_assignments_assignmentrule:add")
    response = client.post(
        url, {"name": "x", "target_choice": "999:1", "due_kind": "fixed", "due_days": "30", "is_active": "on"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "target_choice" in form.errors and "due_date" in form.errors
    assert not AssignmentRule.objects.exists()


def test_obligations_are_read_only_and_rules_closed_to_auditors(make_staff, make_rule, login):
    make_staff("p")
    make_rule(audience_all=True)
    auditor = login(make_staff("auditor", groups=[STAFF, AUDITOR]).user)
    assert auditor.get(reverse("wagtailsnippets_assignments_obligation:list")).status_code == 200
    assert auditor.get(reverse("wagtailsnippets_assignments_assignmentrule:add")).status_code in (302, 403)
    ob = Obligation.objects.first()
    assert auditor.get(reverse("wagtailsnippets_assignments_obligation:edit", args=[ob.pk])).status_code in (
        302,
        403,
    )
    staff = login(make_staff("plain", groups=[STAFF]).user)
    assert staff.get(reverse("wagtailsnippets_assignments_assignmentrule:list")).status_code in (302, 403)
