"""Tests: fast hasher, in-memory email and cache, tasks run immediately, a temporary search index."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import search_backends
from .env import env_str

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="servewell-test-media-"))
SEARCH_INDEX_DIR = Path(tempfile.mkdtemp(prefix="servewell-test-index-"))
LEDGER_ANCHOR_DIR = Path(tempfile.mkdtemp(prefix="servewell-test-anchors-"))
LEDGER_FLUSH_ALLOWED = True  # TransactionTestCase empties every table between tests
# Wagtail's database backend: page saves in ordinary tests stay cheap. Tests marked `search` (tests/search/,
# the browser tests) get a fresh Whoosh index of their own (tests/conftest.py).
WAGTAILSEARCH_BACKENDS = search_backends(env_str("SEARCH_BACKEND") or "database", SEARCH_INDEX_DIR)
LANGUAGE_CODE = "zh-hant"
DEMO_DATA_ALLOWED = True
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {**LOGGING["loggers"], "django_tasks": {"level": "WARNING"}, "axes": {"level": "WARNING"}},  # noqa: F405
}
# Failed-login limits stay on (tests/website/test_lockout.py); a successful login writes no access log row.
AXES_DISABLE_ACCESS_LOG = True
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="servewell-test-static-"))
INSTALLED_APPS = [*INSTALLED_APPS, "tests.search.testapp"]  # noqa: F405
# `make mutation` (scripts/mutation.py) migrates one SQLite test database kept in a file; each mutant's pytest
# session works on a copy of it (tests/conftest.py) instead of migrating an in-memory one. SQLite only.
_test_db_file = env_str("SERVEWELL_TEST_DB_FILE")
if _test_db_file and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _test_db_file}  # noqa: F405
