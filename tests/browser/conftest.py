"""Playwright driving Debian's Chromium against pytest-django's live server (skipped without the browser)."""

import os
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
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
        for item in items:
            if "tests/browser" in str(item.fspath):
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


@pytest.fixture
def demo_site(transactional_db):
    from people.demo import load_people
    from website.demo import ensure_site

    ensure_site()
    return load_people()


@pytest.fixture
def page_as(browser, live_server, demo_site):
    """page_as(username, width=1366) -> a Playwright page logged in through the real login form."""
    contexts = []

    def open_page(username: str, width: int = 1366):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-TW")
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/")
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
