"""#9 item 16: a review flag raised by a regulation update is settled by a material version of the procedure
published after it, even when the dates were set back afterwards (the demo dates its history: SOP-CS-003 v3
after FMA/CP/2026/15). Not shown as waiting anywhere; ``review_flags_settle`` records how it was cleared."""

import datetime

from django.urls import reverse
from django.utils import timezone

from kb.models import PublishedVersion, ReviewFlag
from kb.selectors import open_review_flags, regulation_trace, review_schedule
from kb.services import review_flags_settle
from tests.kb.fixtures import publish_change

NOW = timezone.now()


def flagged_then_answered(make_procedure, make_regulation, make_staff):
    """v1, v2 of a procedure; an update flags it; v3 is published; then dates are set back so that the update
    came five days before v3 and the flag was never cleared (as the demo's loading order leaves it)."""
    owner = make_staff("owner", groups=["Staff", "Supervisor"])
    procedure = make_procedure(content_owner=owner, owning_department=owner.department)
    publish_change(procedure, change_summary="第 2 版。")
    regulation = make_regulation("（示例）FMA/CP/2026/15", procedures=[procedure])
    ReviewFlag.objects.update(raised_at=NOW - datetime.timedelta(days=8))
    for number, days in [(1, 50), (2, 40)]:
        PublishedVersion.objects.filter(page_id=procedure.pk, number=number).update(
            published_at=NOW - datetime.timedelta(days=days)
        )
    return owner, procedure, regulation


def test_material_version_after_the_flag_settles_it(make_procedure, make_regulation, make_staff, login):
    owner, procedure, regulation = flagged_then_answered(make_procedure, make_regulation, make_staff)
    assert [f.procedure_id for f in open_review_flags()] == [procedure.pk]  # v2 came before the update
    officer = make_staff("officer", groups=["Compliance officer"])
    trace_url = reverse("kb_regulation_trace", args=[regulation.pk])
    assert "受新規影響，待覆核" in login(officer.user).get(trace_url).content.decode()
    v3 = publish_change(procedure, change_summary="確認時限改為 1 個工作天。")
    ReviewFlag.objects.update(cleared_at=None, cleared_by=None, cleared_note="")  # as if dated back
    PublishedVersion.objects.filter(page_id=v3.pk, number=3).update(
        published_at=NOW - datetime.timedelta(days=3)
    )
    assert list(open_review_flags()) == []
    assert all(not item.flags for item in review_schedule(owner=owner))
    [item] = regulation_trace(regulation).procedures
    assert not item.flags[0].cleared_at and item.flags[0].answered
    assert "受新規影響，待覆核" not in login(officer.user).get(trace_url).content.decode()
    assert review_flags_settle() == 1
    flag = ReviewFlag.objects.get()
    assert flag.cleared_at == PublishedVersion.objects.get(page_id=procedure.pk, number=3).published_at
    assert flag.cleared_note == "v3: 確認時限改為 1 個工作天。"
    assert review_flags_settle() == 0


def test_a_minor_version_does_not_settle_a_flag(make_procedure, make_regulation, make_staff):
    _owner, procedure, _regulation = flagged_then_answered(make_procedure, make_regulation, make_staff)
    publish_change(procedure, change_summary="更正錯字。", is_minor_change=True)
    assert [f.procedure_id for f in open_review_flags()] == [procedure.pk]
    assert review_flags_settle() == 0


def test_each_flag_is_settled_by_its_own_procedure_s_first_material_version(
    make_procedure, make_regulation, make_staff, superuser
):
    """Not by a minor version in between, nor by another procedure's version; cleared by whoever published
    the answering version; every settled flag is counted."""
    _owner, procedure, first = flagged_then_answered(make_procedure, make_regulation, make_staff)
    second = make_regulation("（示例）FMA/CP/2026/16", procedures=[procedure])
    ReviewFlag.objects.update(raised_at=NOW - datetime.timedelta(days=8))
    other = make_procedure("SOP-CS-099", title="另一程序")
    publish_change(procedure, change_summary="更正錯字。", is_minor_change=True)
    answer = {"change_summary": "確認時限改為 1 個工作天。", "is_minor_change": False}
    publish_change(procedure, user=superuser, **answer)
    ReviewFlag.objects.update(cleared_at=None, cleared_by=None, cleared_note="")  # as if dated back
    for page_id, label, days in [(other.pk, (1, 0), 7), (procedure.pk, (2, 1), 6), (procedure.pk, (3, 0), 3)]:
        PublishedVersion.objects.filter(page_id=page_id, number=label[0], minor=label[1]).update(
            published_at=NOW - datetime.timedelta(days=days)
        )
    assert review_flags_settle() == 2
    v3 = PublishedVersion.objects.get(page_id=procedure.pk, number=3)
    flags = {
        flag.regulation_id: (flag.cleared_at, flag.cleared_by, flag.cleared_note)
        for flag in ReviewFlag.objects.all()
    }
    settled = (v3.published_at, superuser, "v3: 確認時限改為 1 個工作天。")
    assert flags == {first.pk: settled, second.pk: settled}
