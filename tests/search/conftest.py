from __future__ import annotations

import pytest
from modelsearch.backends import get_search_backend
from wagtail.models import Page
from wagtail.search import index

from tests.search.testapp.models import Notice, SampleProcedurePage


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/search/" in str(item.fspath):
            item.add_marker(pytest.mark.search)


@pytest.fixture
def index_dir(tmp_path, settings):
    """A fresh, empty Whoosh index for this test, selected as the default backend."""
    path = tmp_path / "index"
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "website.search.backend", "PATH": str(path), "LOCK_TIMEOUT": 10}
    }
    get_search_backend().reset_indexes()
    return path


@pytest.fixture
def backend(index_dir, db):
    return get_search_backend()


@pytest.fixture
def make_notice(backend):
    """make_notice(title, body="", **fields) -> a saved Notice, indexed through the post_save signal."""

    def make(title: str, body: str = "", **fields) -> Notice:
        return Notice.objects.create(title=title, body=body, **fields)

    return make


@pytest.fixture
def make_procedure(backend):
    """make_procedure(title, body="", tags=(), **fields) -> a live SampleProcedurePage under the root page."""
    root = Page.get_first_root_node()

    def make(title: str, body: str = "", tags=(), **fields) -> SampleProcedurePage:
        page = root.add_child(instance=SampleProcedurePage(title=title, body=body, **fields))
        if tags:
            page.tags.add(*tags)
            page.save_revision().publish()
            # The test tasks backend runs the index task inside save(), before modelcluster writes the tags;
            # in production the db_worker runs it after the commit. Run it again as the worker would.
            index.insert_or_update_object(page)
        return page

    return make


@pytest.fixture
def expect_search_errors():
    """Declares that this test breaks the index on purpose (see ``no_silent_search_errors``)."""
    return True


@pytest.fixture(autouse=True)
def no_silent_search_errors(request, caplog):
    """Searches swallow index errors (never a 500), so a bug could hide as "no results": fail on any."""
    yield
    if "expect_search_errors" not in request.fixturenames:
        assert "Search failed on the Whoosh index" not in caplog.text
        assert "Search index unavailable" not in caplog.text
