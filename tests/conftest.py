import os
import sqlite3

import pytest

from tests.factories import StaffProfileFactory, UserFactory

pytest_plugins = ["tests.kb.fixtures"]  # page trees for kb, search page and browser tests


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """``postgres_only`` tests are skipped on SQLite before their fixtures are built (fixtures may need rows
    that an earlier transactional test on the same worker flushed)."""
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture
def make_staff(db):
    """make_staff(username, supervisor=None, groups=(...), **profile_fields) -> StaffProfile"""

    def make(username: str, *, supervisor=None, groups=(), **fields):
        user = UserFactory(username=username, groups=list(groups))
        return StaffProfileFactory(user=user, supervisor=supervisor, **fields)

    return make


@pytest.fixture
def login(client):
    """login(user) -> the logged-in test client."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture(autouse=True)
def _whoosh_for_search_tests(request):
    """Tests marked ``search`` run against a fresh Whoosh index in a temporary folder."""
    if request.node.get_closest_marker("search") is None:
        yield
        return
    from modelsearch.backends import get_search_backend

    settings = request.getfixturevalue("settings")
    path = request.getfixturevalue("tmp_path") / "whoosh-index"
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "website.search.backend", "PATH": str(path), "LOCK_TIMEOUT": 10}
    }
    get_search_backend().reset_indexes()
    yield


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's set-up, except that the default test database is always created.

    pytest-django creates test databases only for tests that request ``db``; the browser tests use the
    database through one shared demo per worker instead (tests/browser/conftest.py), so a run of only
    browser tests would otherwise touch the development database.
    """
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    pristine = os.environ.get("SERVEWELL_TEST_DB_FILE")
    if pristine and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        yield from _copy_of_a_migrated_database(pristine, request, django_db_blocker, setup_databases)
        return
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=keepdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _close_stray_sessions()
            teardown_databases(config, verbosity=request.config.option.verbose)


def _copy_of_a_migrated_database(pristine, request, django_db_blocker, setup_databases):
    """`make mutation` (scripts/mutation.py): one session per mutant, each on its own copy of one database.

    The first session of the process migrates the SQLite file ``pristine`` (kept between runs, so only new
    migrations are applied); every session, including the first and the forked ones mutmut starts for each
    mutant, then works on a fresh copy, so a transactional test's flush never reaches the next mutant.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        if os.environ.get("SERVEWELL_TEST_DB_READY") != pristine:
            setup_databases(verbosity=0, interactive=False, keepdb=True)
            connections["default"].close()
            os.environ["SERVEWELL_TEST_DB_READY"] = pristine
        copy = f"{pristine}.{os.getpid()}"
        source, target = sqlite3.connect(pristine), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = copy
    yield
    connections["default"].close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)


def _close_stray_sessions() -> None:
    """End connections a finished thread left open (a thread's connection outlives it until collected).

    On PostgreSQL such a session makes DROP DATABASE fail ("is being accessed by other users") and the
    worker's last test error at teardown; only sessions on this worker's own test database are ended.
    """
    from django.db import connection, connections

    connections.close_all()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
