"""#9 item 12: minor versions (2.1, 1.1) open at their own address; every version link on the page opens."""

import re

import pytest

from tests.kb.fixtures import publish_change, steps


@pytest.fixture
def history(make_procedure):
    """Versions 1, 1.1, 2, 2.1 of one procedure, each with its own SLA text."""
    page = make_procedure(steps=steps(1, sla="10 個工作天內"))
    publish_change(
        page, change_summary="錯字修正。", is_minor_change=True, steps=steps(1, sla="10 個工作日內")
    )
    publish_change(
        page, change_summary="時限縮短。", is_minor_change=False, steps=steps(1, sla="7 個工作天內")
    )
    publish_change(
        page, change_summary="格式修正。", is_minor_change=True, steps=steps(1, sla="7 個工作日內")
    )
    return page


def test_minor_versions_open_at_their_own_address(history, make_staff, login):
    client = login(make_staff("reader", groups=["Staff"]).user)
    for label, text in [
        ("1", "10 個工作天內"),
        ("1.1", "10 個工作日內"),
        ("2", "7 個工作天內"),
        ("2.1", "7 個工作日內"),
    ]:
        response = client.get(f"{history.url}v/{label}/")
        assert response.status_code == 200, label
        assert text in response.content.decode(), label
    assert client.get(f"{history.url}v/2.9/").status_code == 404
    assert client.get(f"{history.url}v/99999999999999999999.1/").status_code == 404


def test_every_version_link_on_the_page_and_history_opens(history, make_staff, login):
    client = login(make_staff("reader", groups=["Staff"]).user)
    links = set()
    for url in [history.url, history.url + "versions/"]:
        links |= set(re.findall(r'href="([^"]*/v/[\d.]+/)"', client.get(url).content.decode()))
    assert {link.rsplit("/v/", 1)[1].rstrip("/") for link in links} >= {"1", "1.1", "2", "2.1"}
    for link in links:
        assert client.get(link).status_code == 200, link


def test_minor_version_address_needs_login(history, client):
    response = client.get(f"{history.url}v/2.1/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
