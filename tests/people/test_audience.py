"""The one audience rule: the in-memory check, the staff filter and the page filter agree."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group

from people.audience import Audience, audience_includes_q
from people.demo import load_people
from people.models import Department, Position, StaffProfile


@pytest.fixture
def demo_people(db):
    load_people(today=datetime.date(2026, 12, 1))
    StaffProfile.objects.filter(user__username="staff12").update(is_active=False)  # someone who left
    return list(StaffProfile.objects.select_related("user").prefetch_related("user__groups"))


def audiences() -> list[Audience]:
    """Every combination of zero, one or two values per dimension, plus everyone, nobody and named people."""
    departments = list(Department.objects.order_by("code").values_list("pk", flat=True))
    positions = list(Position.objects.order_by("code").values_list("pk", flat=True))
    groups = list(Group.objects.order_by("name").values_list("pk", flat=True))
    people = list(StaffProfile.objects.order_by("pk").values_list("pk", flat=True))
    choices = {
        "departments": [frozenset(), frozenset(departments[1:2]), frozenset(departments[2:4])],
        "positions": [frozenset(), frozenset(positions[3:4]), frozenset(positions[1:3])],
        "groups": [frozenset(), frozenset(groups[:1]), frozenset(groups[2:4])],
        "hired_on_or_after": [None, datetime.date(2020, 1, 1)],
        "people": [frozenset(), frozenset(people[:2])],
    }
    result = [Audience(everyone=True), Audience()]
    for combo in itertools.product(*choices.values()):
        result.append(Audience(**dict(zip(choices, combo, strict=True))))
    return result


def test_in_memory_check_and_staff_filter_agree_for_every_demo_person(demo_people):
    cases = audiences()
    assert len(cases) == 110
    for audience in cases:
        in_db = set(StaffProfile.objects.filter(audience.staff_q()).values_list("pk", flat=True))
        in_memory = {
            p.pk for p in demo_people if audience.matches(p, group_ids=[g.pk for g in p.user.groups.all()])
        }
        assert in_db == in_memory, audience


def test_inactive_people_are_in_no_audience(demo_people):
    gone = next(p for p in demo_people if not p.is_active)
    everyone_and_named = Audience(everyone=True, people=frozenset([gone.pk]))
    assert not everyone_and_named.matches(gone)
    assert not StaffProfile.objects.filter(everyone_and_named.staff_q(), pk=gone.pk).exists()


def test_an_audience_with_nothing_set_includes_nobody(demo_people):
    assert Audience().is_empty
    assert not StaffProfile.objects.filter(Audience().staff_q()).exists()
    assert not any(Audience().matches(p) for p in demo_people)


def test_stored_audiences_include_the_same_people(demo_people, make_procedure):
    """Pages store an audience (everyone, departments, positions): the page filter agrees with the others."""
    from kb.models import ProcedurePage

    departments = list(Department.objects.order_by("code"))
    positions = list(Position.objects.order_by("code"))
    stored = [
        (True, [], []),
        (False, [], []),
        (False, departments[1:3], []),
        (False, [], positions[2:4]),
        (False, departments[1:4], positions[2:5]),
    ]
    pages = []
    for n, (everyone, ds, ps) in enumerate(stored):
        page = make_procedure(f"SOP-AUD-{n}", publish=False, audience_all=everyone)
        page.audience_departments.set(ds)
        page.audience_positions.set(ps)
        page.save()  # parental many-to-many fields reach the database only when the page is saved
        pages.append(page)
    pages = list(
        ProcedurePage.objects.filter(pk__in=[p.pk for p in pages]).prefetch_related(
            "audience_departments", "audience_positions"
        )
    )
    for person in demo_people:
        including = set(
            ProcedurePage.objects.filter(audience_includes_q(ProcedurePage, person)).values_list(
                "pk", flat=True
            )
        )
        for page in pages:
            audience = Audience.of(page)
            in_staff_filter = StaffProfile.objects.filter(audience.staff_q(), pk=person.pk).exists()
            assert (page.pk in including) == audience.matches(person) == in_staff_filter, (page.code, person)
    for page, (everyone, ds, ps) in zip(pages, stored, strict=True):  # each page's audience as stored
        assert Audience.of(page) == Audience(
            everyone=everyone, departments=frozenset(d.pk for d in ds), positions=frozenset(p.pk for p in ps)
        )
    sizes = [StaffProfile.objects.filter(Audience.of(page).staff_q()).count() for page in pages]
    assert sizes[0] > sizes[2] > 0 and sizes[1] == 0 and sizes[3] > 0  # the cases are not all empty


def test_a_model_without_audience_fields_is_named():
    from people.audience import audience_fields_of

    with pytest.raises(TypeError) as caught:
        audience_fields_of(Department)
    assert str(caught.value) == "Department has no audience_fields = AudienceFields(...)"
    with pytest.raises(TypeError):
        audience_includes_q(Position, StaffProfile(is_active=True))


def test_auditors_are_in_no_audience_unless_superusers(demo_people, make_staff):
    """Auditors read everything and record nothing (docs/roles/auditor.md): nothing may be owed by them, so
    no form of the rule includes them, not even when named; a superuser also in the group is not read-only."""
    from kb.models import ProcedurePage

    auditor = next(p for p in demo_people if p.user.groups.filter(name="Auditor").exists())
    admin_auditor = make_staff("it-auditor", groups=["Staff", "Auditor"], department=auditor.department)
    admin_auditor.user.is_superuser = True
    admin_auditor.user.save()
    auditor.refresh_from_db()
    admin_auditor.refresh_from_db()
    assert (auditor.read_only, admin_auditor.read_only) == (True, False)
    everyone_and_named = Audience(everyone=True, people=frozenset([auditor.pk]))
    their_department = Audience(departments=frozenset([auditor.department_id]))
    for audience in (everyone_and_named, their_department):
        assert not audience.matches(auditor)
        assert audience.matches(admin_auditor)
        both = StaffProfile.objects.filter(pk__in=[auditor.pk, admin_auditor.pk])
        assert set(both.filter(audience.staff_q())) == {admin_auditor}
    assert audience_includes_q(ProcedurePage, auditor) == audience_includes_q(ProcedurePage, None)


def test_joining_or_leaving_the_auditor_group_sets_read_only(make_staff):
    person = make_staff("moved-to-audit", groups=["Staff"])
    auditors = Group.objects.get(name="Auditor")
    person.user.groups.add(auditors)  # the user screens: one person's groups
    person.refresh_from_db()
    assert person.read_only
    person.user.groups.remove(auditors)
    person.refresh_from_db()
    assert not person.read_only
    auditors.user_set.add(person.user)  # the group's members
    person.refresh_from_db()
    assert person.read_only
    auditors.user_set.clear()
    person.refresh_from_db()
    assert not person.read_only
    person.user.groups.add(auditors)
    person.user.is_superuser = True
    person.user.save()
    person.refresh_from_db()
    assert not person.read_only
    hired_as_auditor = make_staff("new-auditor", groups=["Staff", "Auditor"])  # groups before the profile
    assert hired_as_auditor.read_only


def test_setting_read_only_takes_the_same_queries_for_one_person_or_many(
    make_staff, django_assert_num_queries
):
    from people.access import read_only_sync

    people = [make_staff(f"audit{n}", groups=["Staff"]) for n in range(6)]
    auditors = Group.objects.get(name="Auditor")
    for batch in (people[:1], people[1:]):
        auditors.user_set.through.objects.bulk_create(  # past the signal: read_only_sync is what is measured
            [auditors.user_set.through(user_id=p.user_id, group_id=auditors.pk) for p in batch]
        )
        with django_assert_num_queries(3):  # who joins, who leaves (nobody), one UPDATE
            assert sorted(read_only_sync([p.user_id for p in batch])) == sorted(p.pk for p in batch)
    assert StaffProfile.objects.filter(pk__in=[p.pk for p in people], read_only=True).count() == 6
