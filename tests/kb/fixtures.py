"""Page trees for kb tests: home → procedures index → duty area → procedures; home → feed → updates.

Built with the factories in tests/factories.py; these fixtures keep the tests' short call style.
"""

import pytest

from tests.factories import (
    IssuerFactory,
    ProcedureCategoryPageFactory,
    ProcedurePageFactory,
    ProceduresIndexPageFactory,
    RegulationIndexPageFactory,
    RegulationUpdatePageFactory,
    publish,
    sop_steps,
)
from website.demo import ensure_site

steps = sop_steps


@pytest.fixture
def area(db):
    index = ProceduresIndexPageFactory(parent=ensure_site())
    return ProcedureCategoryPageFactory(parent=index)


@pytest.fixture
def make_procedure(area):
    """make_procedure(code, publish=True, user=None, **fields) -> ProcedurePage (published directly)."""

    def make(code: str = "SOP-CS-003", *, publish: bool = True, user=None, n_steps: int = 3, **fields):
        fields.setdefault("steps", sop_steps(n_steps))
        page = ProcedurePageFactory(parent=area, code=code, **fields)
        return _publish(page, user=user) if publish else page

    return make


_publish = publish


def publish_change(page, *, user=None, **changes):
    """Publish a new revision of a procedure or regulation update with ``changes``."""
    page = type(page).objects.get(pk=page.pk)
    for field, value in changes.items():
        setattr(page, field, value)
    return _publish(page, user=user)


@pytest.fixture
def feed_index(db):
    return RegulationIndexPageFactory(parent=ensure_site())


@pytest.fixture
def issuer(db):
    return IssuerFactory()


@pytest.fixture
def make_regulation(feed_index, issuer):
    """make_regulation(number, publish=True, user=None, procedures=(), **fields) -> RegulationUpdatePage."""
    from kb.models import AffectedProcedure

    def make(
        number: str = "（示例）FMA/CP/2026/01", *, publish: bool = True, user=None, procedures=(), **fields
    ):
        fields.setdefault("slug", number.lower().replace("/", "-").replace("（示例）", "sample-"))
        page = RegulationUpdatePageFactory(parent=feed_index, issuer=issuer, document_number=number, **fields)
        for procedure in procedures:
            page.affected_procedures.add(AffectedProcedure(procedure=procedure))
        if procedures:
            page.save()
        return _publish(page, user=user) if publish else page

    return make


def in_audience(page, profile) -> bool:
    """The reference answer for audience tests: ``audience_includes_q`` applied to one page."""
    from people.audience import audience_includes_q

    return type(page).objects.filter(pk=page.pk).filter(audience_includes_q(type(page), profile)).exists()
