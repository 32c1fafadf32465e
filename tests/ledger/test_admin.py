from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from ledger.models import Record
from ledger.viewsets import record_viewset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/ledger/records/"


@pytest.fixture
def viewer(db):
    return UserFactory(username="auditor", groups=["Auditor"])  # the real role (people/roles.py)


@pytest.fixture
def records(append):
    return [append(), append(kind="quiz_attempt", outcome="failed", score=45, title="開戶核實測驗")]


def test_list_renders_for_a_user_with_view_permission(login, viewer, records):
    assert reverse("ledger_records:index") == INDEX
    response = login(viewer).get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "開戶核實測驗" in html
    assert "陳美玲" in html  # the actor's name snapshot
    assert "45.00" in html
    assert reverse("ledger_records:inspect", args=[records[1].pk]) in html
    assert "/edit/" not in html and "/delete/" not in html


def test_list_filters_by_kind_outcome_and_date(login, viewer, records):
    client = login(viewer)
    html = client.get(INDEX, {"kind": "quiz_attempt"}).content.decode()
    assert "開戶核實測驗" in html and "客戶投訴處理程序" not in html
    html = client.get(INDEX, {"outcome": "acknowledged"}).content.decode()
    assert "開戶核實測驗" not in html and "客戶投訴處理程序" in html
    today = timezone.localdate().isoformat()
    html = client.get(INDEX, {"occurred_at_from": today, "occurred_at_to": today}).content.decode()
    assert "開戶核實測驗" in html and "客戶投訴處理程序" in html
    html = client.get(
        INDEX, {"occurred_at_from": "2000-01-01", "occurred_at_to": "2000-01-02"}
    ).content.decode()
    assert "開戶核實測驗" not in html and "客戶投訴處理程序" not in html


def test_inspect_shows_the_hash(login, viewer, records):
    response = login(viewer).get(reverse("ledger_records:inspect", args=[records[0].pk]))
    assert response.status_code == 200
    assert records[0].hash in response.content.decode()


def test_list_is_refused_without_view_permission(login, records):
    user = UserFactory(username="editor", groups=["Staff", "Content editor"])  # admin access, no ledger
    client = login(user)
    response = client.get(INDEX)
    assert (response.status_code, response.url) == (302, "/admin/")  # Wagtail's "permission denied"
    assert INDEX not in client.get("/admin/").content.decode()  # and no menu item


@pytest.mark.parametrize("name", ["add", "edit", "delete", "copy", "history", "usage"])
def test_write_views_do_not_exist(name):
    with pytest.raises(NoReverseMatch):
        reverse(f"ledger_records:{name}", args=[] if name == "add" else [1])


@pytest.mark.parametrize("path", ["new/", "edit/{pk}/", "delete/{pk}/", "copy/{pk}/"])
def test_superuser_cannot_add_edit_or_delete(login, superuser, records, path):
    before = list(Record.objects.values())
    client = login(superuser)
    url = INDEX + path.format(pk=records[0].pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "edited"}).status_code == 404
    assert list(Record.objects.values()) == before


def test_superuser_sees_no_write_buttons(login, superuser, records):
    policy = record_viewset.permission_policy
    assert not policy.user_has_any_permission(superuser, ["add", "change", "delete"])
    assert policy.user_has_permission(superuser, "view")
    html = login(superuser).get(INDEX).content.decode()
    assert "開戶核實測驗" in html
    assert "/edit/" not in html and "/new/" not in html


def test_menu_item_is_shown_to_viewers(login, viewer):
    assert INDEX in login(viewer).get("/admin/").content.decode()
    with translation.override("en"):
        assert str(record_viewset.menu_label) == "Evidence records"
