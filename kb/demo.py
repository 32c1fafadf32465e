"""Demo procedures for `manage.py load_demo`: ten duty areas, ~30 procedures with real version histories.

Every version goes through the real approval workflow (editor submits, compliance approves); dates are then
set back to when the version was published, so due dates, review cycles and history look like a living bank.
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page

from core.spreadsheets import Sheet, xlsx_file
from kb.demo_data.procedures import CATEGORIES, PROCEDURES
from kb.demo_data.recent_updates import RECENT_UPDATES
from kb.models import (
    AcknowledgedPage,
    ProcedureAttachment,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureRelatedLink,
    ProcedureReview,
    ProceduresIndexPage,
    PublishedVersion,
)
from kb.selectors import acknowledgement_due, audience_staff
from kb.services import acknowledge, procedure_mark_reviewed
from people.models import Department, Position, StaffProfile

INDEX_INTRO = (
    "<p>本行售後客戶服務的書面服務標準及操作程序，按十個崗位職責範疇分類。每份程序列明負責人、生效日期及步驟時限；"
    "新版本經合規部審批後生效，請於限期內閱讀並確認。</p>"
)
PENDING_SUBMISSION = ("SOP-CS-001", "更新熱線服務時間：電話理財熱線延長至晚上 10 時，第 3 步相應修訂。")


def _xlsx(columns: list[str], title: str) -> bytes:
    """An empty form (header row only) as a workbook, written by the one spreadsheet writer."""
    widths = [max(12, len(column) * 2 + 4) for column in columns]
    with xlsx_file([Sheet(title=title, header=columns, rows=[], widths=widths)]) as output:
        return output.read()


def _document(spec: dict, uploader):
    Document = get_document_model()
    existing = Document.objects.filter(title=spec["title"]).first()
    if existing:
        return existing
    return Document.objects.create(
        title=spec["title"],
        file=ContentFile(_xlsx(spec["columns"], spec["title"]), name=spec["filename"]),
        uploaded_by_user=uploader,
    )


def _content(spec: dict, changes: dict) -> dict:
    fields = {key: spec[key] for key in ("summary", "purpose", "scope", "responsibilities", "steps")}
    fields.update(changes)
    return {
        "summary": fields["summary"],
        "purpose": fields["purpose"],
        "scope": fields["scope"],
        "responsibilities": [
            ("responsibility", {"role": r, "duty": d}) for r, d in fields["responsibilities"]
        ],
        "steps": [
            (
                "step",
                {
                    "title": s["title"],
                    "instructions": s["instructions"],
                    "responsible_role": s["role"],
                    "time_limit": s["time_limit"],
                    "note_kind": s["note_kind"],
                    "note": s["note"],
                },
            )
            for s in fields["steps"]
        ],
    }


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _submit_and_approve(page: ProcedurePage, editor, approver, comment: str) -> None:
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    page = ProcedurePage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, approver, "approve", comment=comment)


def backdate_last_version(page: AcknowledgedPage, published: datetime.date) -> PublishedVersion:
    """Move the newest version (and the page's publish dates) back to the day it was really published."""
    version = PublishedVersion.objects.filter(page_id=page.pk).order_by("-number", "-minor").first()
    changes = {
        "published_at": at(published, 10),
        "approved_at": at(published, 9) if version.approved_at else None,
    }
    if not page.versions_follow_effective_date:
        changes["effective_date"] = published
    PublishedVersion.objects.filter(pk=version.pk).update(**changes)
    ProcedureReview.objects.filter(page_id=page.pk, reviewed_on=timezone.localdate()).update(
        reviewed_on=published
    )
    Page.objects.filter(pk=page.pk).update(last_published_at=at(published, 10))
    Page.objects.filter(pk=page.pk, first_published_at__gt=at(published, 10)).update(
        first_published_at=at(published, 10)
    )
    version.refresh_from_db()
    return version


CHASED_AFTER_DAYS = 60  # the demo's oldest unread item was due this many days ago


def acknowledge_some(page: AcknowledgedPage, version: PublishedVersion) -> None:
    """Most of the audience read it in time, a few late, some not yet (deterministic per person). Those who
    fall behind catch up within weeks once reminders and their supervisor chase them: what is still owed was
    due in the last two months, as in a bank whose compliance team follows up."""
    today = timezone.localdate()
    page = type(page).objects.get(pk=page.pk)
    for person in audience_staff(page):  # auditors are in no audience
        due = acknowledgement_due(page, version, person.hire_date)
        start = due - datetime.timedelta(days=page.ack_due_days)
        roll = random.Random(f"{page.reference}-{version.label}-{person.employee_number}").random()
        diligence = 0.55 + 0.4 * random.Random(person.employee_number).random()  # some people fall behind
        behind = person.user.username == "newhire1" or roll > diligence
        if behind and due >= today - datetime.timedelta(days=CHASED_AFTER_DAYS):
            continue  # not yet
        days = (due - start).days
        if behind:  # chased: read some weeks late
            when = due + datetime.timedelta(days=7 + int(roll * 35))
        elif roll < 0.7:
            when = start + datetime.timedelta(days=int(roll * days))
        else:
            when = due + datetime.timedelta(days=3)
        if when > today:
            if due >= today:
                continue  # still within time; has not got round to it
            when = today
        moment = min(at(when, 9 + int(roll * 8)), timezone.now())
        acknowledge(user=person.user, page=page, version_number=version.number, at=moment)


def _publish_recent_update(page: ProcedurePage, update: dict, editor, approver) -> None:
    today = timezone.localdate()
    steps = [dict(block.value) for block in page.steps]
    for index, changes in update["steps"].items():
        steps[index].update(changes)
    page.steps = [("step", step) for step in steps]
    for field, value in update.get("fields", {}).items():
        setattr(page, field, value)
    page.effective_date = today - datetime.timedelta(days=update["days_ago"])
    page.change_summary = update["summary"]
    page.is_minor_change = False
    _submit_and_approve(page, editor, approver, "條文已核對，同意即時生效。")
    backdate_last_version(page, page.effective_date - datetime.timedelta(days=1))


def _recent_reviews(pages, profiles: dict[str, StaffProfile]) -> None:
    """Owners confirmed most procedures "reviewed, no change" within their cycle; a few are left overdue."""
    today = timezone.localdate()
    for page in pages:
        page = ProcedurePage.objects.select_related("content_owner__user").get(pk=page.pk)
        roll = random.Random(f"review-{page.code}").random()
        if roll < 0.2:
            continue
        cycle_days = page.review_interval_months * 30
        on = today - datetime.timedelta(days=20 + int(roll * (cycle_days - 60)))
        last = ProcedureReview.objects.filter(page_id=page.pk).order_by("-reviewed_on").first()
        if last and last.reviewed_on >= on:
            continue
        procedure_mark_reviewed(
            user=page.content_owner.user,
            page=page,
            comment="已按最新投訴統計、系統變更及監管要求核對，內容仍然適用。",
            on=on,
        )


@transaction.atomic
def load_procedures(home: Page) -> int:
    """Create the procedures section once; returns the number of procedures (0 if it already existed)."""
    if ProceduresIndexPage.objects.exists():
        return 0
    User = get_user_model()
    editor, approver = User.objects.get(username="editor"), User.objects.get(username="compliance")
    profiles = {p.user.username: p for p in StaffProfile.objects.select_related("user")}
    departments = {d.code: d for d in Department.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}

    index = home.add_child(
        instance=ProceduresIndexPage(title="程序標準", slug="procedures", intro=INDEX_INTRO)
    )
    index.save_revision().publish()
    categories = {}
    for spec in CATEGORIES:
        category = index.add_child(
            instance=ProcedureCategoryPage(
                title=spec["title"], slug=spec["slug"], number=spec["number"], summary=spec["summary"]
            )
        )
        category.save_revision().publish()
        categories[spec["number"]] = category

    pages: dict[str, ProcedurePage] = {}
    for spec in PROCEDURES:
        first = spec["versions"][0]
        owner = profiles[spec["owner"]]
        page = ProcedurePage(
            title=spec["title"],
            slug=spec["slug"],
            code=spec["code"],
            content_owner=owner,
            owning_department=departments[spec["department"]],
            effective_date=datetime.date.fromisoformat(first["effective"]),
            review_interval_months=spec["review_interval_months"],
            ack_due_days=spec["ack_due_days"],
            audience_all=spec["audience"] == "all",
            change_summary=first["summary"],
            live=False,
            **_content(spec, first["changes"]),
        )
        categories[spec["category"]].add_child(instance=page)
        if spec["audience"] != "all":
            page.audience_departments.set([departments[c] for c in spec["audience"].get("departments", [])])
            page.audience_positions.set([positions[c] for c in spec["audience"].get("positions", [])])
        page.tags.add(*spec["tags"])
        for attachment in spec["attachments"]:
            page.attachments.add(ProcedureAttachment(document=_document(attachment, editor)))
        page.save()  # cluster relations (tags, audience, attachments) are kept in memory until the page saves
        pages[spec["code"]] = page
    for spec in PROCEDURES:
        page = pages[spec["code"]]
        for code in spec["related"]:
            page.related_links.add(ProcedureRelatedLink(target=pages[code]))
        page.save()

    for spec in PROCEDURES:
        page = ProcedurePage.objects.get(pk=pages[spec["code"]].pk)
        previous_material = None
        for entry in spec["versions"]:
            effective = datetime.date.fromisoformat(entry["effective"])
            for field, value in _content(spec, entry["changes"]).items():
                setattr(page, field, value)
            page.effective_date = effective
            page.change_summary = entry["summary"]
            page.is_minor_change = not entry["material"] and previous_material is not None
            _submit_and_approve(page, editor, approver, "已核對內容及時限，批准發布。")
            published = min(effective - datetime.timedelta(days=10), timezone.localdate())
            version = backdate_last_version(page, published)
            previous_material = version.number
            if effective <= timezone.localdate() and entry is not spec["versions"][-1]:
                acknowledge_some(page, version)
            page = ProcedurePage.objects.get(pk=page.pk)
    for update in RECENT_UPDATES:
        _publish_recent_update(ProcedurePage.objects.get(code=update["code"]), update, editor, approver)
    for spec in PROCEDURES:  # acknowledgements of the versions in force today
        page = ProcedurePage.objects.get(pk=pages[spec["code"]].pk)
        in_force = (
            PublishedVersion.objects.filter(page_id=page.pk, effective_date__lte=timezone.localdate())
            .order_by("-number", "-minor")
            .first()
        )
        if in_force:
            acknowledge_some(page, in_force)

    _recent_reviews(pages.values(), profiles)

    code, summary = PENDING_SUBMISSION
    page = ProcedurePage.objects.get(code=code)
    page.change_summary = summary
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    return len(PROCEDURES)


def attach_comprehension_checks(checks: dict) -> int:
    """Give procedures (by code) their comprehension check quiz, on the live page and its revisions, without
    publishing a new version (the check is an acknowledgement setting, not a change to the text)."""
    attached = 0
    for code, quiz in checks.items():
        page = ProcedurePage.objects.filter(code=code).first()
        if page is None or page.comprehension_quiz_id == quiz.pk:
            continue
        page.comprehension_quiz = quiz
        page.save(update_fields=["comprehension_quiz"])
        for revision in {page.live_revision, page.latest_revision} - {None}:
            revision.content["comprehension_quiz"] = quiz.pk
            revision.save(update_fields=["content"])
        attached += 1
    return attached
