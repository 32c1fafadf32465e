"""factory_boy factories shared by the test suite and bench scripts."""

from __future__ import annotations

import datetime

import factory
import wagtail_factories
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


# --- kb pages (wagtail-factories: ``parent=`` places the page in the tree) --------------------------------


def sop_steps(n: int, *, sla: str = "2 個工作天內") -> list[tuple[str, dict]]:
    """``n`` numbered procedure steps (the first with a warning), as StreamField data."""
    return [
        (
            "step",
            {
                "title": f"第{i}步：登記個案",
                "instructions": f"<p>於投訴個案管理系統登記第 {i} 項資料。</p>",
                "responsible_role": "前線客戶服務主任",
                "time_limit": sla,
                "note_kind": "warning" if i == 1 else "",
                "note": "客戶提及傳媒時須即時通知組長。" if i == 1 else "",
            },
        )
        for i in range(1, n + 1)
    ]


class ProceduresIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "kb.ProceduresIndexPage"
        django_get_or_create = ("slug", "parent")

    title = "程序標準"
    slug = "procedures"


class ProcedureCategoryPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "kb.ProcedureCategoryPage"
        django_get_or_create = ("slug", "parent")

    title = "客戶關係維護與溝通"
    slug = "customer-relations"
    number = 2


class ProcedurePageFactory(wagtail_factories.PageFactory):
    """A procedure as a draft (``live=False``); publish it with ``publish(page)``."""

    class Meta:
        model = "kb.ProcedurePage"

    title = "客戶投訴處理程序"
    code = factory.Sequence(lambda n: f"SOP-CS-{n + 100:03d}")
    slug = factory.LazyAttribute(lambda page: page.code.lower())
    summary = "受理、調查及回覆客戶投訴的標準程序。"
    purpose = "<p>確保投訴於限期內妥善處理。</p>"
    scope = "<p>適用於所有前線及後勤客戶服務同事。</p>"
    responsibilities = factory.LazyFunction(
        lambda: [("responsibility", {"role": "組長", "duty": "審批回覆及升級個案"})]
    )
    steps = factory.LazyFunction(lambda: sop_steps(3))
    effective_date = datetime.date(2026, 1, 1)
    change_summary = "首次發布。"
    content_owner = factory.SubFactory(StaffProfileFactory, display_name="何家豪")
    owning_department = factory.LazyAttribute(
        lambda page: page.content_owner.department if page.content_owner else None
    )
    live = False


class RegulationIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "kb.RegulationIndexPage"
        django_get_or_create = ("slug", "parent")

    title = "法規動態"
    slug = "regulations"


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "kb.Issuer"
        django_get_or_create = ("code",)

    code = "SMP-FMA"
    name = "（示例）金融管理機構"
    short_name = "金管（示例）"
    kind = "external"
    is_sample = True


class RegulationUpdatePageFactory(wagtail_factories.PageFactory):
    """A regulation update as a draft (``live=False``); publish it with ``publish(page)``."""

    class Meta:
        model = "kb.RegulationUpdatePage"

    title = "（示例）投訴處理時限修訂"
    document_number = factory.Sequence(lambda n: f"（示例）FMA/CP/2026/{n + 1:02d}")
    slug = factory.Sequence(lambda n: f"sample-fma-cp-2026-{n + 1:02d}")
    issuer = factory.SubFactory(IssuerFactory)
    issued_date = datetime.date(2026, 11, 1)
    effective_date = datetime.date(2026, 12, 1)
    impact = "high"
    summary = "確認通知時限縮短至 1 個工作天。"
    obligations = factory.LazyFunction(
        lambda: [("obligation", {"text": "所有投訴須於 1 個工作天內發出確認。"})]
    )
    change_summary = "首次發布。"
    live = False


def publish(page, *, user=None):
    """Publish the page as a new revision (as the workflow's last step would: kb.workflows.publish_approved,
    which asks no publish permission, the approval being the permission) and reload it."""
    page.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return type(page).objects.get(pk=page.pk)


class CoursesIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "courses.CoursesIndexPage"
        django_get_or_create = ("slug", "parent")

    title = "培訓課程"
    slug = "training"


class CoursePageFactory(wagtail_factories.PageFactory):
    """A course as a draft (``live=False``); publish it with ``publish(page)``."""

    class Meta:
        model = "courses.CoursePage"

    title = factory.Sequence(lambda n: f"客戶投訴處理實務 {n + 1}")
    slug = factory.Sequence(lambda n: f"course-{n + 1}")
    summary = "投訴受理、分級、回覆時限及根本原因分析。"
    estimated_minutes = 45
    live = False


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "courses.LessonPage"

    title = factory.Sequence(lambda n: f"第 {n + 1} 課")
    slug = factory.Sequence(lambda n: f"lesson-{n + 1}")
    summary = "本課重點。"
    body = factory.LazyFunction(lambda: [("text", "<p>確認通知須於 1 個工作天內發出。</p>")])
    live = False
