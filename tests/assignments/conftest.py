import pytest
from django.contrib.contenttypes.models import ContentType

from assignments import registry
from assignments.models import AssignmentRule, DueKind
from people.models import Position


@pytest.fixture
def course_type():
    """A stand-in training target (courses are registered by the courses app): positions as "courses"."""
    saved = dict(registry._registry)
    target_type = registry.TargetType(
        key="test.course", model=Position, label="Course", kind=registry.TRAINING, url=lambda obj: "/c/"
    )
    registry.register(target_type)
    yield target_type
    registry._registry.clear()
    registry._registry.update(saved)


@pytest.fixture
def course(db, course_type):
    return Position.objects.create(code="C-AML", name="反洗錢與反欺詐年度培訓")


@pytest.fixture
def make_rule(course, django_capture_on_commit_callbacks):
    """make_rule(name, target=course, departments=(), positions=(), groups=(), people=(), **fields)."""

    def make(
        name="年度反洗錢培訓", *, target=None, departments=(), positions=(), groups=(), people=(), **fields
    ):
        target = target or course
        fields.setdefault("due_kind", DueKind.AFTER_ASSIGNMENT)
        with django_capture_on_commit_callbacks(execute=True):  # as a committed admin form would
            rule = AssignmentRule.objects.create(
                name=name,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                **fields,
            )
            rule.audience_departments.set(departments)
            rule.audience_positions.set(positions)
            rule.audience_groups.set(groups)
            rule.audience_people.set(people)
        return rule

    return make
