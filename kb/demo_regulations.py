"""Demo regulation feed for `manage.py load_demo`: sample regulators and the bank's own circulars, with
procedures flagged for review, notifications and varied acknowledgement progress. Dates shift with the day the
demo is loaded, so "recent" updates stay recent."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from kb.demo import acknowledge_some, at, backdate_last_version
from kb.demo_data.regulations import ISSUERS, UPDATES
from kb.models import (
    AffectedProcedure,
    Issuer,
    ProcedurePage,
    RegulationIndexPage,
    RegulationUpdatePage,
    ReviewFlag,
)
from kb.services import procedure_mark_reviewed, review_flags_settle
from people.models import Department, Position

INTRO = (
    "<p>監管機構及本行發出的新規定：生效日期、涉及的程序，以及須閱讀的同事和限期。標示「（示例）」的機構及文件"
    "為示範資料。</p>"
)
DATA_TODAY = datetime.date(2026, 11, 28)  # the day the demo text was written against


def _shift(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day) + (timezone.localdate() - DATA_TODAY)


@transaction.atomic
def load_regulations(home: Page) -> int:
    """Create the regulation feed once; returns the number of updates (0 if it already existed)."""
    if RegulationIndexPage.objects.exists():
        return 0
    compliance = get_user_model().objects.get(username="compliance")
    issuers = {}
    for spec in ISSUERS:
        issuers[spec["code"]], _ = Issuer.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name", "short_name", "kind", "is_sample")},
        )
    departments = {d.code: d for d in Department.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}
    procedures = {p.code: p for p in ProcedurePage.objects.all()}
    index = home.add_child(instance=RegulationIndexPage(title="法規動態", slug="regulations", intro=INTRO))
    index.save_revision().publish()

    pages: dict[str, RegulationUpdatePage] = {}
    for spec in UPDATES:
        issued = _shift(spec["issued"])
        page = RegulationUpdatePage(
            title=spec["title"],
            slug=spec["slug"],
            issuer=issuers[spec["issuer"]],
            document_number=spec["document_number"],
            issued_date=issued,
            effective_date=_shift(spec["effective"]),
            impact=spec["impact"],
            summary=spec["summary"],
            obligations=[("obligation", {"text": text}) for text in spec["obligations"]],
            body=spec["body"],
            audience_all=spec["audience"] == "all",
            ack_due_days=spec["ack_due_days"],
            change_summary="首次發布。",
            repealed_on=_shift(spec["repealed_on"]) if spec["repealed_on"] else None,
            live=False,
        )
        index.add_child(instance=page)
        if spec["audience"] != "all":
            page.audience_departments.set([departments[c] for c in spec["audience"].get("departments", [])])
            page.audience_positions.set([positions[c] for c in spec["audience"].get("positions", [])])
        page.tags.add(*spec["tags"])
        for code in spec["affected_procedures"]:
            page.affected_procedures.add(AffectedProcedure(procedure=procedures[code]))
        page.save()
        page.save_revision(user=compliance).publish(user=compliance)
        published = min(issued + datetime.timedelta(days=2), timezone.localdate())
        version = backdate_last_version(page, published)
        ReviewFlag.objects.filter(regulation=page).update(raised_at=at(published, 11))
        acknowledge_some(page, version)
        if published < timezone.localdate() - datetime.timedelta(days=60):
            _owners_review_flags(page, published)
        pages[spec["slug"]] = page
    for spec in UPDATES:
        if spec["superseded_by"]:
            RegulationUpdatePage.objects.filter(pk=pages[spec["slug"]].pk).update(
                superseded_by=pages[spec["superseded_by"]]
            )
    review_flags_settle()  # versions dated after an update (SOP-CS-003 v3 after FMA/CP/2026/15) answered it
    return len(UPDATES)


def _owners_review_flags(regulation: RegulationUpdatePage, published: datetime.date) -> None:
    """Owners dealt with flags from updates older than two months (recent ones wait in their review queue)."""
    for flag in ReviewFlag.objects.filter(regulation=regulation, cleared_at__isnull=True):
        procedure = ProcedurePage.objects.select_related("content_owner__user").get(pk=flag.procedure_id)
        procedure_mark_reviewed(
            user=procedure.content_owner.user,
            page=procedure,
            comment=f"已按「{regulation.title}」核對本程序，現行步驟已符合要求，無需修訂。",
            on=published + datetime.timedelta(days=12),
        )
