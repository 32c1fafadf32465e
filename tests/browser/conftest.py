"""Playwright driving Debian's Chromium against one live server per test worker (skipped without the browser).

The demo bank is loaded once per worker into the test database (committed, so the server thread sees it on
SQLite and PostgreSQL alike) and searched through a Whoosh index in a temporary folder. Browser tests run
after every other database test (pytest-django orders tests that use no ``db`` fixture last), so the demo
never leaks into them. Tests share the demo: each acts as its own demo user, so their writes don't meet.

Browser tests are spread over the workers like any other test, so each worker that gets one loads the demo
once (about 25 s), in parallel at the end of the run. Sending them all to one worker (``xdist_group``) was
tried: the group then starts early on one worker (pytest-xdist schedules the largest group first) and the
committed demo reaches the database tests that follow it there; scheduled last, the one worker runs the
whole browser suite alone while the other idles, which is slower than two parallel demo loads. (With pytest
9.2 and pytest-xdist 3.8 the group is ignored anyway: pytest-xdist#1386.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath) and not os.path.exists(CHROMIUM):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def _demo_is_loaded() -> bool:
    from kb.models import ProcedurePage

    return ProcedurePage.objects.exists()


@pytest.fixture(scope="session")
def demo_bank(django_db_setup, django_db_blocker):
    """The whole demo, loaded once per worker, with a Whoosh index of it; search settings for the session."""
    from django.core.management import call_command
    from django.test import override_settings

    from website.demo import load_all
    from website.settings.base import search_backends

    index = override_settings(
        WAGTAILSEARCH_BACKENDS=search_backends("whoosh", Path(tempfile.mkdtemp(prefix="servewell-browser-")))
    )
    index.enable()
    with django_db_blocker.unblock():
        from django.db import connection

        assert "test" in str(connection.settings_dict["NAME"]) or "memory" in str(
            connection.settings_dict["NAME"]
        )
        load_all()
        call_command("update_index", verbosity=0)
    yield
    index.disable()


@pytest.fixture(scope="session")
def server(demo_bank, django_db_blocker):
    """A live server over the demo database (named so that pytest-django adds no per-test flush)."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        live = LiveServer("localhost")
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def _browser_db(request, django_db_blocker):
    """Browser tests read the shared demo database directly (no transaction, no flush)."""
    if "server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("server")
    with django_db_blocker.unblock():
        if not _demo_is_loaded():  # a transactional test on this worker emptied the database meanwhile
            from django.core.management import call_command

            from website.demo import load_all

            load_all()
            call_command("update_index", verbosity=0)
        yield


@pytest.fixture
def page_as(browser, server):
    """page_as(username, width=1366) -> a Playwright page logged in through the real login form."""
    contexts = []

    def open_page(username: str, width: int = 1366):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-TW")
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + "/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "servewell-demo")
        page.locator("input[name=password]").press("Enter")
        page.wait_for_load_state("networkidle")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
