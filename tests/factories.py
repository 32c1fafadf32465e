"""factory_boy factories shared by the test suite and bench scripts."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from people.models import Department, Position, StaffProfile

DEMO_PASSWORD = "servewell-demo"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"客戶服務第{n}組")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"客戶服務主任{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@bank.example")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(*[Group.objects.get(name=name) for name in extracted])
        if create:
            self.save()


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    display_name = factory.Sequence(lambda n: f"陳大文{n}")
    department = factory.SubFactory(DepartmentFactory)
    position = factory.SubFactory(PositionFactory)
    hire_date = datetime.date(2024, 3, 1)
