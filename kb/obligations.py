"""kb's acknowledgements as assignment targets. Who owes which version by when stays kb's rule
(``kb.selectors.acknowledgement_rows``): assignments only stores its answers in the obligation table."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from assignments.registry import ACKNOWLEDGEMENT, Owed, TargetType, register
from kb.models import AcknowledgedPage, ProcedurePage, RegulationUpdatePage
from kb.selectors import acknowledgement_rows
from people.audience import Audience
from people.models import StaffProfile


def owed_acknowledgements(people, pages) -> Iterator[Owed]:
    """What the current computation says is owed: one row per person × live page × version in force."""
    if pages is not None:
        pages = [page for page in pages if page.live]
        if not pages:
            return
    if people is None:
        people = StaffProfile.objects.filter(is_active=True).select_related("department", "position")
    for row in acknowledgement_rows(people, pages):
        ack = row.ack
        yield Owed(
            person=row.person,
            target=row.page,
            cycle=row.version.number,
            due_date=row.due_date,
            completed_at=ack.acknowledged_at if ack else None,
            record_id=ack.record_id if ack else None,
            on_time=ack.on_time if ack else None,
        )


def _title(page: AcknowledgedPage) -> str:
    return f"{page.reference} {page.title}"


def _url(page: AcknowledgedPage) -> str:
    return page.url


def register_targets() -> None:
    for key, model, label in (
        ("kb.procedure", ProcedurePage, _("Procedure acknowledgement")),
        ("kb.regulation", RegulationUpdatePage, _("Regulation update acknowledgement")),
    ):
        register(
            TargetType(
                key=key,
                model=model,
                label=label,
                kind=ACKNOWLEDGEMENT,
                url=_url,
                audience=Audience.of,
                owed=owed_acknowledgements,
                title=_title,
            )
        )
