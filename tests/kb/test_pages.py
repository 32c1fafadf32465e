"""What staff see: the procedure page, its banner, old versions, history, compare; and its query count."""

import datetime

import pytest
from django.utils import timezone

from kb.models import Acknowledgement
from kb.services import acknowledge
from tests.kb.fixtures import publish_change, steps


@pytest.fixture
def reader(make_staff):
    return make_staff("reader", groups=["Staff"])


def test_procedure_page_shows_code_version_steps_and_ack_banner(make_procedure, reader, login):
    page = make_procedure()
    client = login(reader.user)
    html = client.get(page.url).content.decode()
    for text in [
        "SOP-CS-003",
        "客戶投訴處理程序",
        "第1步：登記個案",
        "前線客戶服務主任",
        "2 個工作天內",
        "首次發布。",
    ]:
        assert text in html
    assert 'data-ack="pending"' in html


def test_acknowledge_button_then_banner_shows_when(make_procedure, reader, login):
    page = make_procedure()
    client = login(reader.user)
    response = client.post(page.url + "acknowledge/", {"version": "1"})
    assert response.status_code == 302
    ack = Acknowledgement.objects.get(user=reader.user, page_id=page.pk)
    html = client.get(page.url).content.decode()
    assert 'data-ack="done"' in html
    assert timezone.localtime(ack.acknowledged_at).strftime("%Y-%m-%d %H:%M") in html
    client.post(page.url + "acknowledge/", {"version": "1"})  # second click
    assert Acknowledgement.objects.filter(user=reader.user).count() == 1


def test_acknowledge_needs_post_and_a_version(make_procedure, reader, login):
    page = make_procedure()
    client = login(reader.user)
    assert client.get(page.url + "acknowledge/").status_code == 405
    client.post(page.url + "acknowledge/", {"version": "abc"})
    assert not Acknowledgement.objects.exists()


def test_pages_need_login(make_procedure, client):
    page = make_procedure()
    for url in [page.url, page.url + "versions/", page.url + "v/1/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_old_versions_stay_readable_at_their_own_url(make_procedure, reader, login):
    page = make_procedure(steps=steps(2, sla="10 個工作天內"))
    publish_change(page, change_summary="回覆期限縮短。", steps=steps(2, sla="7 個工作天內"))
    client = login(reader.user)
    old = client.get(page.url + "v/1/").content.decode()
    new = client.get(page.url).content.decode()
    assert "10 個工作天內" in old and "7 個工作天內" not in old
    assert "7 個工作天內" in new and "10 個工作天內" not in new
    assert client.get(page.url + "v/9/").status_code == 404
    history = client.get(page.url + "versions/").content.decode()
    assert "回覆期限縮短。" in history and "首次發布。" in history
    diff = client.get(page.url + "compare/?from=1&to=2").content.decode()
    assert "diff-removed" in diff and "10 個工作天內" in diff and "diff-added" in diff


def test_upcoming_version_is_announced_and_current_text_stays(make_procedure, reader, login):
    page = make_procedure(steps=steps(1, sla="即時"))
    future = timezone.localdate() + datetime.timedelta(days=40)
    publish_change(
        page,
        change_summary="新規：大額轉賬冷靜期。",
        effective_date=future,
        steps=steps(1, sla="冷靜期 24 小時"),
    )
    html = login(reader.user).get(page.url).content.decode()
    assert "新規：大額轉賬冷靜期。" in html  # announced
    assert "冷靜期 24 小時" not in html  # not yet the text in force
    assert "即時" in html


def test_home_page_lists_pending_acknowledgements_with_due_date(make_procedure, reader, login):
    page = make_procedure()
    html = login(reader.user).get("/").content.decode()
    assert "SOP-CS-003" in html and page.url in html
    acknowledge(user=reader.user, page=page, version_number=1)
    html = login(reader.user).get("/").content.decode()
    assert "SOP-CS-003" not in html


def count_queries(client, url, django_assert_max_num_queries):
    client.get(url)
    with django_assert_max_num_queries(100) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_procedure_page_query_count_is_constant(
    make_procedure, reader, login, make_staff, django_assert_max_num_queries
):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    small = make_procedure("SOP-A-001", n_steps=2)
    big = make_procedure("SOP-A-002", n_steps=25, publish=False)
    for n in range(8):
        doc = Document.objects.create(title=f"表格{n}", file=ContentFile(b"x", name=f"form{n}.csv"))
        big.attachments.create(document=doc)
    big.related_links.create(target=small)
    big.save_revision().publish()
    for n in range(30):
        acknowledge(user=make_staff(f"r{n}").user, page=big, version_number=1)
    small.attachments.create(
        document=Document.objects.create(title="x", file=ContentFile(b"x", name="x.csv"))
    )
    small.related_links.create(target=big)
    small.save_revision().publish()  # same shape as big (attachments, a related link), few of each
    client = login(reader.user)
    assert count_queries(client, big.url, django_assert_max_num_queries) == count_queries(
        client, small.url, django_assert_max_num_queries
    )


def test_supervisor_sees_who_in_their_team_has_not_acknowledged(make_procedure, make_staff, login):
    page = make_procedure()
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    done = make_staff("done", supervisor=boss, display_name="已讀同事")
    make_staff("waiting", supervisor=boss, display_name="未讀同事")
    acknowledge(user=done.user, page=page, version_number=1)
    html = login(boss.user).get(page.url).content.decode()
    progress = html[html.index("team-progress") :]
    assert "未讀同事" in progress and "已讀同事" not in progress
    plain = make_staff("plain", groups=["Staff"])
    assert "team-progress" not in login(plain.user).get(page.url).content.decode()
