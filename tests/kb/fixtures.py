"""Procedure page trees for kb tests: home → procedures index → duty area → procedures."""

import datetime

import pytest
from wagtail.models import Page

from kb.models import ProcedureCategoryPage, ProcedurePage, ProceduresIndexPage
from tests.factories import StaffProfileFactory
from website.demo import ensure_site


def steps(n: int, *, sla: str = "2 個工作天內") -> list[tuple[str, dict]]:
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


@pytest.fixture
def area(db):
    home = ensure_site()
    index = home.add_child(instance=ProceduresIndexPage(title="程序標準", slug="procedures"))
    return index.add_child(
        instance=ProcedureCategoryPage(title="客戶關係維護與溝通", slug="customer-relations", number=2)
    )


@pytest.fixture
def make_procedure(area):
    """make_procedure(code, publish=True, user=None, **fields) -> ProcedurePage (published directly)."""

    def make(code: str = "SOP-CS-003", *, publish: bool = True, user=None, n_steps: int = 3, **fields):
        defaults = {
            "title": "客戶投訴處理程序",
            "slug": code.lower(),
            "code": code,
            "summary": "受理、調查及回覆客戶投訴的標準程序。",
            "purpose": "<p>確保投訴於限期內妥善處理。</p>",
            "scope": "<p>適用於所有前線及後勤客戶服務同事。</p>",
            "responsibilities": [("responsibility", {"role": "組長", "duty": "審批回覆及升級個案"})],
            "steps": steps(n_steps),
            "effective_date": datetime.date(2026, 1, 1),
            "change_summary": "首次發布。",
        }
        if "content_owner" not in fields:
            owner = StaffProfileFactory(display_name="何家豪")
            defaults.update(content_owner=owner, owning_department=owner.department)
        defaults.update(fields)
        defaults.setdefault("live", publish)
        page = area.add_child(instance=ProcedurePage(**defaults))
        if publish:
            page.save_revision(user=user).publish(user=user)
        return ProcedurePage.objects.get(pk=page.pk)

    return make


def publish_change(page, *, user=None, **changes):
    """Publish a new revision of a procedure or regulation update with ``changes``."""
    page = type(page).objects.get(pk=page.pk)
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


__all__ = ["Page", "publish_change", "steps"]


@pytest.fixture
def feed_index(db):
    from kb.models import RegulationIndexPage

    home = ensure_site()
    return home.add_child(instance=RegulationIndexPage(title="法規動態", slug="regulations"))


@pytest.fixture
def issuer(db):
    from kb.models import Issuer

    return Issuer.objects.create(
        code="SMP-FMA",
        name="（示例）金融管理機構",
        short_name="金管（示例）",
        kind="external",
        is_sample=True,
    )


@pytest.fixture
def make_regulation(feed_index, issuer):
    """make_regulation(number, publish=True, user=None, procedures=(), **fields) -> RegulationUpdatePage."""
    from kb.models import AffectedProcedure, RegulationUpdatePage

    def make(
        number: str = "（示例）FMA/CP/2026/01", *, publish: bool = True, user=None, procedures=(), **fields
    ):
        defaults = {
            "title": "（示例）投訴處理時限修訂",
            "slug": number.lower().replace("/", "-").replace("（示例）", "sample-"),
            "issuer": issuer,
            "document_number": number,
            "issued_date": datetime.date(2026, 11, 1),
            "effective_date": datetime.date(2026, 12, 1),
            "impact": "high",
            "summary": "確認通知時限縮短至 1 個工作天。",
            "obligations": [("obligation", {"text": "所有投訴須於 1 個工作天內發出確認。"})],
            "change_summary": "首次發布。",
        }
        defaults.update(fields)
        defaults.setdefault("live", publish)
        page = feed_index.add_child(instance=RegulationUpdatePage(**defaults))
        for procedure in procedures:
            page.affected_procedures.add(AffectedProcedure(procedure=procedure))
        page.save()
        if publish:
            page.save_revision(user=user).publish(user=user)
        return RegulationUpdatePage.objects.get(pk=page.pk)

    return make


def in_audience(page, profile) -> bool:
    """The reference answer for audience tests: ``kb.selectors.audience_q`` applied to one page."""
    from kb.selectors import audience_q

    return type(page).objects.filter(pk=page.pk).filter(audience_q(type(page), profile)).exists()
