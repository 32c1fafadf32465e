"""Wagtail's admin search, listing and choosers run on this backend (behind the login wall)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Page

from website.search.backend import WhooshSearchBackend


@pytest.fixture
def pages(make_procedure):
    return {
        "complaints": make_procedure("客戶投訴與意見處理程序", "投訴"),
        "aml": make_procedure("反洗錢可疑交易報告", "AML"),
    }


def test_the_site_uses_this_backend_by_default(backend):
    assert isinstance(backend, WhooshSearchBackend)


def test_admin_search_needs_a_login(client, pages):
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "投訴"})
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_admin_page_search_finds_a_word_inside_a_compound(login, superuser, pages):
    response = login(superuser).get(reverse("wagtailadmin_pages:search"), {"q": "投訴"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "客戶投訴與意見處理程序" in html
    assert "反洗錢可疑交易報告" not in html


def test_admin_page_search_with_simplified_query_and_ordering(login, superuser, pages):
    response = login(superuser).get(
        reverse("wagtailadmin_pages:search"), {"q": "反洗钱", "ordering": "title"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "反洗錢可疑交易報告" in html and "客戶投訴與意見處理程序" not in html


def test_admin_page_listing_search(login, superuser, pages):
    root = Page.get_first_root_node()
    response = login(superuser).get(reverse("wagtailadmin_explore", args=[root.pk]), {"q": "可疑"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "反洗錢可疑交易報告" in html and "客戶投訴與意見處理程序" not in html


def test_page_chooser_search(login, superuser, pages):
    response = login(superuser).get(reverse("wagtailadmin_choose_page_search"), {"q": "意見"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "客戶投訴與意見處理程序" in html and "反洗錢可疑交易報告" not in html
