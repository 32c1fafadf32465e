"""Demo regulation feed for `manage.py load_demo`: sample regulators and the bank's own circulars, with
procedures flagged for review, notifications and varied acknowledgement progress. Dates shift with the day the
demo is loaded, so "recent" updates stay recent."""

from __future__ import annotations

import datetime
import re

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
TEXT_FIELDS = ("title", "summary", "body")
# A whole date in the text: 2026-12-01, or 2026 年 12 月 1 日 (with or without the spaces).
TEXT_DATE = re.compile(
    r"(?P<iso>(?<!\d)(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})(?!\d))"
    r"|(?P<zh>(?<!\d)(?P<y2>\d{4})(?P<s1>\s*)年(?P<s2>\s*)(?P<m2>\d{1,2})(?P<s3>\s*)月(?P<s4>\s*)(?P<d2>\d{1,2})"
    r"(?P<s5>\s*)日)"
)


def shift_text_dates(text: str, delta: datetime.timedelta) -> str:
    """Move every whole date in ``text`` by ``delta``, keeping its format, so the text agrees with the shifted
    fields ("本通告於 2026 年 12 月 1 日生效" and an effective date of 2026-12-01, both moved alike)."""

    def move(match: re.Match) -> str:
        if match["iso"]:
            day = datetime.date(int(match["y1"]), int(match["m1"]), int(match["d1"])) + delta
            return day.isoformat()
        day = datetime.date(int(match["y2"]), int(match["m2"]), int(match["d2"])) + delta
        return (
            f"{day.year}{match['s1']}年{match['s2']}{day.month}{match['s3']}月{match['s4']}{day.day}"
            f"{match['s5']}日"
        )

    return TEXT_DATE.sub(move, text)


def update_as_loaded(spec: dict, today: datetime.date) -> dict:
    """A demo update as loaded on ``today``: its dates and the dates quoted in its texts moved alike by the
    days since DATA_TODAY, so "recent" updates stay recent and every text agrees with the fields."""
    delta = today - DATA_TODAY
    loaded = dict(spec)
    for key in ("issued", "effective", "repealed_on"):
        if spec[key]:
            loaded[key] = datetime.date.fromisoformat(spec[key]) + delta
    for key in TEXT_FIELDS:
        loaded[key] = shift_text_dates(spec[key], delta)
    loaded["obligations"] = [shift_text_dates(text, delta) for text in spec["obligations"]]
    return loaded


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
    for spec in [update_as_loaded(spec, timezone.localdate()) for spec in UPDATES]:
        issued = spec["issued"]
        page = RegulationUpdatePage(
            title=spec["title"],
            slug=spec["slug"],
            issuer=issuers[spec["issuer"]],
            document_number=spec["document_number"],
            issued_date=issued,
            effective_date=spec["effective"],
            impact=spec["impact"],
            summary=spec["summary"],
            obligations=[("obligation", {"text": text}) for text in spec["obligations"]],
            body=spec["body"],
            audience_all=spec["audience"] == "all",
            ack_due_days=spec["ack_due_days"],
            change_summary="首次發布。",
            repealed_on=spec["repealed_on"],
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
