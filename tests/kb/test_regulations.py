"""Regulation updates: status, audiences, unread counts, review flags, notifications, feeds, traceability."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assignments.services import target_materialise
from kb.models import AffectedProcedure, RegulationUpdatePage, ReviewFlag
from kb.selectors import audience_staff, regulation_trace, unread_regulations
from kb.services import acknowledge, procedure_mark_reviewed
from notifications.models import EmailDelivery, Notification
from tests.factories import publish
from tests.kb.fixtures import in_audience, publish_change

TODAY = timezone.localdate


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"effective_date": datetime.date(2000, 1, 1)}, "in_force"),
        ({"effective_date": datetime.date(2999, 1, 1)}, "upcoming"),
        ({"effective_date": datetime.date(2000, 1, 1), "repealed_on": datetime.date(2001, 1, 1)}, "repealed"),
        ({"effective_date": datetime.date(2999, 1, 1), "repealed_on": datetime.date(2998, 1, 1)}, "upcoming"),
    ],
)
def test_status_is_derived_the_same_in_python_and_sql(make_regulation, fields, expected):
    page = make_regulation(**fields)
    assert page.status == expected
    annotated = RegulationUpdatePage.objects.annotate(s=RegulationUpdatePage.status_expression(TODAY())).get(
        pk=page.pk
    )
    assert annotated.s == expected


def test_superseded_status(make_regulation):
    old = make_regulation("A-1")
    new = make_regulation("A-2")
    RegulationUpdatePage.objects.filter(pk=old.pk).update(superseded_by=new)
    old.refresh_from_db()
    assert old.status == "superseded"
    annotated = RegulationUpdatePage.objects.annotate(s=RegulationUpdatePage.status_expression(TODAY())).get(
        pk=old.pk
    )
    assert annotated.s == "superseded"


def test_audience_selectors_agree(make_regulation, make_staff):
    from tests.factories import DepartmentFactory, PositionFactory

    hotline, branch = DepartmentFactory(code="PB"), DepartmentFactory(code="BR")
    officer, assistant = PositionFactory(code="CSO"), PositionFactory(code="CSA")
    page = make_regulation(audience_all=False, publish=False)
    page.audience_departments.set([hotline])
    page.audience_positions.set([officer, assistant])
    page.save_revision().publish()
    people = [
        make_staff("a", department=hotline, position=officer),
        make_staff("b", department=hotline, position=assistant),
        make_staff("c", department=branch, position=officer),
        make_staff("d", department=hotline, position=PositionFactory(code="MGR")),
        make_staff("e", department=hotline, position=officer, is_active=False),
    ]
    inverse = {p.pk for p in audience_staff(page)}
    assert inverse == {people[0].pk, people[1].pk}
    for person in people:
        assert in_audience(page, person) == (person.pk in inverse), person.user.username


def test_unread_count_is_one_query_and_drops_on_acknowledge(
    make_regulation, make_staff, django_assert_num_queries
):
    page = make_regulation()
    make_regulation("B-2", audience_all=False)  # nobody's
    reader = make_staff("reader")
    with django_assert_num_queries(1):
        assert unread_regulations(reader.user, reader).count() == 1
    acknowledge(user=reader.user, page=page, version_number=1)
    assert unread_regulations(reader.user, reader).count() == 0
    publish_change(page, change_summary="補充第 2 項義務。")  # a material change asks again
    assert unread_regulations(reader.user, reader).count() == 1


def test_publishing_flags_affected_procedures_and_a_new_version_clears(
    make_procedure, make_regulation, make_staff
):
    procedure = make_procedure()
    regulation = make_regulation(procedures=[procedure])
    flag = ReviewFlag.objects.get()
    assert (flag.procedure_id, flag.regulation_id, flag.cleared_at) == (procedure.pk, regulation.pk, None)
    publish_change(regulation, change_summary="更正錯字。", is_minor_change=True)
    assert ReviewFlag.objects.count() == 1  # still one open flag, not two
    publish_change(procedure, change_summary="確認時限改為 1 個工作天。")
    flag.refresh_from_db()
    assert flag.cleared_at is not None and "確認時限" in flag.cleared_note


def test_reviewed_no_change_clears_the_flag_with_the_comment(make_procedure, make_regulation, make_staff):
    owner = make_staff("owner", groups=["Staff", "Supervisor"])
    procedure = make_procedure(content_owner=owner, owning_department=owner.department)
    make_regulation(procedures=[procedure])
    procedure_mark_reviewed(user=owner.user, page=procedure, comment="已核對，現行時限已符合新規。")
    flag = ReviewFlag.objects.get()
    assert flag.cleared_by == owner.user and flag.cleared_note == "已核對，現行時限已符合新規。"


def test_a_review_clears_that_procedures_open_flags_only(make_procedure, make_regulation, make_staff):
    """Another procedure's flag stays open; a flag cleared earlier keeps who cleared it, when and why."""
    owner = make_staff("owner", groups=["Staff", "Supervisor"])
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"])
    reviewed = make_procedure(content_owner=owner, owning_department=owner.department)
    untouched = make_procedure("SOP-CS-099", title="另一程序")
    first = make_regulation(procedures=[reviewed, untouched])
    procedure_mark_reviewed(user=owner.user, page=reviewed, comment="已核對，現行時限已符合新規。")
    earlier = ReviewFlag.objects.get(procedure_id=reviewed.pk, regulation=first)
    assert ReviewFlag.objects.get(procedure_id=untouched.pk).cleared_at is None
    second = make_regulation("（示例）FMA/CP/2026/02", procedures=[reviewed])
    procedure_mark_reviewed(user=compliance.user, page=reviewed, comment="第二份新規亦已核對。")
    flags = {
        flag.regulation_id: (flag.cleared_at, flag.cleared_by, flag.cleared_note)
        for flag in ReviewFlag.objects.filter(procedure_id=reviewed.pk)
    }
    assert flags[first.pk] == (earlier.cleared_at, owner.user, "已核對，現行時限已符合新規。")
    assert flags[second.pk][1:] == (compliance.user, "第二份新規亦已核對。")
    assert flags[second.pk][0] >= earlier.cleared_at
    assert ReviewFlag.objects.get(procedure_id=untouched.pk).cleared_at is None


def test_each_update_flags_a_procedure_once_and_again_after_it_was_answered(
    make_procedure, make_regulation, make_staff
):
    """One open flag per procedure and update: a second update flags it too; a material change to an update
    whose flag was cleared flags it again."""
    owner = make_staff("owner", groups=["Staff", "Supervisor"])
    procedure = make_procedure(content_owner=owner, owning_department=owner.department)
    first = make_regulation(procedures=[procedure])
    second = make_regulation("（示例）FMA/CP/2026/02", procedures=[procedure])
    assert sorted(ReviewFlag.objects.filter(cleared_at=None).values_list("regulation_id", flat=True)) == [
        first.pk,
        second.pk,
    ]
    procedure_mark_reviewed(user=owner.user, page=procedure, comment="已核對兩份新規。")
    publish_change(first, change_summary="補充第 2 項義務。")
    [reopened] = ReviewFlag.objects.filter(cleared_at=None)
    assert (reopened.procedure_id, reopened.regulation_id) == (procedure.pk, first.pk)
    assert ReviewFlag.objects.count() == 3
    publish_change(first, change_summary="再補充第 3 項義務。")
    assert ReviewFlag.objects.count() == 3  # still open: not flagged twice


def test_a_minor_change_to_an_answered_update_flags_only_procedures_newly_affected(
    make_procedure, make_regulation, make_staff
):
    """A typo fix to an update does not ask owners who answered it to answer again; a procedure the fix adds
    to the affected list is flagged."""
    owner = make_staff("owner", groups=["Staff", "Supervisor"])
    answered = make_procedure(content_owner=owner, owning_department=owner.department)
    added = make_procedure("SOP-CS-099", title="另一程序")
    update = make_regulation(procedures=[answered])
    procedure_mark_reviewed(user=owner.user, page=answered, comment="已核對，現行時限已符合新規。")
    publish_change(update, change_summary="更正錯字。", is_minor_change=True)
    assert not ReviewFlag.objects.filter(cleared_at=None).exists()
    update = type(update).objects.get(pk=update.pk)
    update.affected_procedures.add(AffectedProcedure(procedure=added))
    update.change_summary, update.is_minor_change = "補列受影響程序。", True
    publish(update)
    open_flags = ReviewFlag.objects.filter(cleared_at=None).values_list("procedure_id", flat=True)
    assert list(open_flags) == [added.pk]
    assert ReviewFlag.objects.filter(procedure_id=answered.pk).count() == 1


def test_review_report_lists_flagged_procedure_first(make_procedure, make_regulation, make_staff, login):
    procedure = make_procedure("SOP-FLAG")
    make_regulation(procedures=[procedure], title="（示例）新規甲")
    editor = make_staff("editor", groups=["Content editor"])
    html = login(editor.user).get(reverse("kb_review_due")).content.decode()
    assert "SOP-FLAG" in html and "（示例）新規甲" in html


def test_publish_notifies_audience_in_app_and_by_email(
    make_regulation, make_staff, django_capture_on_commit_callbacks
):
    readers = [make_staff(f"r{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        page = make_regulation(title="（示例）新規乙")
    assert Notification.objects.filter(title__contains="（示例）新規乙").count() == 3
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {r.user.email for r in readers}
    assert all(page.document_number in m.body for m in mail.outbox)
    assert EmailDelivery.objects.filter(status="sent").count() == 3


def test_minor_change_sends_nothing(make_regulation, make_staff, django_capture_on_commit_callbacks):
    make_staff("r1")
    page = make_regulation()
    with django_capture_on_commit_callbacks(execute=True):
        publish_change(page, change_summary="更正錯字。", is_minor_change=True)
    assert Notification.objects.count() == 0


def test_failed_email_is_retried_then_marked_failed_and_logged(make_staff, monkeypatch, caplog):
    from notifications import tasks
    from notifications.services import notify

    person = make_staff("r1")

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    [notification] = notify([person.user], title="t", body="b", url="/x/")
    delivery = EmailDelivery.objects.get(notification=notification)
    for attempt in range(1, EmailDelivery.MAX_ATTEMPTS + 1):
        tasks.deliver_email.call(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
    assert delivery.status == "failed" and "mail server down" in delivery.last_error
    assert "failed for good" in caplog.text
    monkeypatch.undo()
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("retry_emails", stdout=out)
    assert "Queued 1 failed email" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def parse(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_private_rss_and_atom_feeds(make_regulation, make_staff, client):
    from people.services import feed_token_for

    page = make_regulation(title="（示例）新規丙")
    reader = make_staff("reader")
    token = feed_token_for(reader.user)
    rss = parse(client.get(reverse("kb_regulation_rss", args=[token])))
    items = rss.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["[金管（示例）] （示例）新規丙"]
    assert items[0].findtext("link").endswith(page.url)
    atom = parse(client.get(reverse("kb_regulation_atom", args=[token])))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert len(entries) == 1 and entries[0].find("a:link", ns).get("href").endswith(page.url)


def test_bad_or_revoked_token_gets_404_and_no_data(make_regulation, make_staff, client, login):
    from people.services import feed_token_for

    make_regulation(title="（示例）新規丁")
    reader = make_staff("reader")
    old = feed_token_for(reader.user)
    for bad in ["nope", "x" * 200, old[:-1], "\x00" + old, "令牌"]:
        response = client.get(reverse("kb_regulation_rss", args=[bad]))
        assert response.status_code == 404 and "新規丁" not in response.content.decode()
    login(reader.user).post(reverse("regenerate_feed_token"))
    assert client.get(reverse("kb_regulation_rss", args=[old])).status_code == 404
    client.logout()
    new = feed_token_for(reader.user)
    assert new != old and client.get(reverse("kb_regulation_atom", args=[new])).status_code == 200


def test_feed_page_filters_unread_and_advertises_feeds(make_regulation, make_staff, login, feed_index):
    high = make_regulation("H-1", impact="high", title="（示例）高影響")
    make_regulation("L-1", impact="low", title="（示例）低影響")
    reader = make_staff("reader")
    acknowledge(user=reader.user, page=high, version_number=1)
    client = login(reader.user)
    html = client.get(feed_index.url).content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert html.index("（示例）低影響") < html.index("（示例）高影響")  # unread first
    unread = client.get(feed_index.url + "?unread=on").content.decode()
    assert "（示例）低影響" in unread and "（示例）高影響" not in unread
    only_high = client.get(feed_index.url + "?impact=high").content.decode()
    assert "（示例）高影響" in only_high and "（示例）低影響" not in only_high
    bad = client.get(feed_index.url + "?date_from=2026-12-01&date_to=2026-01-01")
    assert bad.context["filter_form"].errors["date_to"]


def test_nav_shows_unread_count(make_regulation, make_staff, login, feed_index):
    make_regulation("N-1")
    make_regulation("N-2")
    reader = make_staff("reader")
    html = login(reader.user).get("/").content.decode()
    assert 'class="nav-count"' in html and ">2</span>" in html


@pytest.fixture
def traced(make_procedure, make_regulation, make_staff):
    """Two departments: hotline (on time, late, nothing yet) and branch (on time), plus the owner."""
    from tests.factories import DepartmentFactory

    hotline, branch = (
        DepartmentFactory(code="PB", name="電話理財中心"),
        DepartmentFactory(code="BR", name="分行"),
    )
    procedure = make_procedure()
    regulation = make_regulation(procedures=[procedure], ack_due_days=14)
    version_day = timezone.localdate()
    people = {
        "on_time": make_staff("on_time", department=hotline),
        "late": make_staff("late", department=hotline),
        "none": make_staff("none", department=hotline),
        "branch_ok": make_staff("branch_ok", department=branch),
    }
    acknowledge(user=people["on_time"].user, page=regulation, version_number=1)
    acknowledge(user=people["branch_ok"].user, page=regulation, version_number=1)
    from kb.models import Acknowledgement

    acknowledge(user=people["late"].user, page=regulation, version_number=1)
    Acknowledgement.objects.filter(user=people["late"].user).update(on_time=False)
    target_materialise(regulation)  # the obligation table follows kb's evidence
    return regulation, procedure, people, version_day


def test_traceability_numbers(traced):
    regulation, procedure, _people, _day = traced
    trace = regulation_trace(regulation)
    by_dept = {d.department.code: d for d in trace.departments}
    assert (by_dept["PB"].done, by_dept["PB"].overdue, by_dept["PB"].pending) == (2, 0, 1)
    assert (by_dept["BR"].done, by_dept["BR"].pending) == (1, 0)
    statuses = {row.person.user.username: row.status for row in trace.rows}
    assert statuses["on_time"] == "done" and statuses["late"] == "late" and statuses["none"] == "pending"
    [proc] = trace.procedures
    assert (
        proc.procedure.pk == procedure.pk and proc.flags[0].cleared_at is None and proc.versions_since == []
    )


def test_traceability_view_and_downloads_for_compliance_only(traced, make_staff, login):
    import io

    from openpyxl import load_workbook

    regulation, *_ = traced
    url = reverse("kb_regulation_trace", args=[regulation.pk])
    assert login(make_staff("plain").user).get(url).status_code == 403
    client = login(make_staff("co", groups=["Compliance officer"]).user)
    audience = len(regulation_trace(regulation).rows)
    assert "電話理財中心" in client.get(url).content.decode()
    csv_text = (
        client.get(reverse("kb_regulation_trace_download", args=[regulation.pk, "csv"]))
        .getvalue()
        .decode("utf-8-sig")
    )
    assert csv_text.count("\n") == 2 + audience and "陳大文" in csv_text
    xlsx = client.get(reverse("kb_regulation_trace_download", args=[regulation.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.getvalue()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert (
        rows[0][0] == regulation.document_number and len(rows) == 2 + audience
    )  # title, header, one per person
    assert client.get(reverse("kb_regulation_trace_download", args=[regulation.pk, "pdf"])).status_code == 404


def test_traceability_query_count_does_not_grow_with_staff(traced, make_staff, django_assert_max_num_queries):
    regulation, *_ = traced
    with django_assert_max_num_queries(30) as before:
        regulation_trace(regulation)
    for n in range(40):
        make_staff(f"extra{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        trace = regulation_trace(regulation)
    assert len(trace.rows) >= 44


def test_compliance_can_publish_regulations_but_editors_cannot(make_regulation, make_staff, feed_index):
    from people.roles import sync_roles

    sync_roles()  # the feed page was created in this test, after the migration's sync
    page = make_regulation()
    co = make_staff("co", groups=["Compliance officer"]).user
    editor = make_staff("ed", groups=["Content editor"]).user
    assert page.permissions_for_user(co).can_publish()
    assert not page.permissions_for_user(editor).can_publish()
