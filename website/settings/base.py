"""Base settings: safe for production (DEBUG off, no default secret). dev/test/production extend this."""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("SERVEWELL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Our apps, by layer (docs/architecture.md; import-linter's contract in pyproject.toml enforces it).
INSTALLED_APPS = [
    "core",
    "people",
    "ledger",
    "notifications",
    "quizzes",
    "assignments",
    "kb",
    "courses",
    "dashboards",
    "api",
    "website.search",
    "website",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "people.apps.UsersAdminConfig",  # wagtail.users with people/access.py rules
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "core.middleware.ErrorPagesMiddleware",  # bad URL numbers → 400/404, a busy database → 503 (not 500)
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "website.urls"
WSGI_APPLICATION = "website.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "website" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "website.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite by default (one machine); PostgreSQL through DATABASE_URL=postgres://user@host:5432/name.
# The SQLite options are the ones measured to survive 50 concurrent read-then-write clients (DESIGN.md).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_env(default_sqlite_path: Path) -> dict:
    url = env_str("DATABASE_URL", "") or f"sqlite:///{default_sqlite_path}"
    config = dj_database_url.parse(url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_from_env(VAR_DIR / "servewell.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Evidence ledger (docs/ledger.md) -------------------------------------------------------------------
# `manage.py ledger_anchor` appends the head to LEDGER_ANCHOR_DIR/ledger-anchors.txt; ship it off the server.
LEDGER_ANCHOR_DIR = Path(env_str("LEDGER_ANCHOR_DIR", str(VAR_DIR / "ledger-anchors")))
# `manage.py flush` may empty the ledger (the test runner's flush between transactional tests); off here,
# so the ledger's triggers refuse a flush of a real database.
LEDGER_FLUSH_ALLOWED = False

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins (django-axes): after SERVEWELL_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that username is locked on that address for SERVEWELL_LOGIN_COOLOFF_MINUTES. Never by address
# alone: a bank's staff share a few proxy addresses. `manage.py axes_reset_username NAME` unlocks early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "people.auth.EmployeeNumberBackend",  # the login page offers "username or employee number"
]
AXES_USERNAME_CALLABLE = "people.auth.lockout_username"  # both spellings count against one username
AXES_FAILURE_LIMIT = env_int("SERVEWELL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SERVEWELL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when the page says it does
AXES_LOCKOUT_CALLABLE = "website.lockout.locked_out"
# Behind reverse proxies that append to X-Forwarded-For, say how many; otherwise REMOTE_ADDR (unspoofable).
if (_proxy_count := env_int("SERVEWELL_LOGIN_PROXY_COUNT", 0)) > 0:
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"

# --- Language and time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "website" / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Hong_Kong")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "ServeWell <servewell@localhost>")

# --- Background tasks -----------------------------------------------------------------------------------
# A real queue in the database; `manage.py db_worker` runs the jobs (make run starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Quizzes ------------------------------------------------------------------------------------------
# Answers that arrive up to this many seconds after a quiz's deadline still count (network latency).
QUIZ_DEADLINE_GRACE_SECONDS = env_int("QUIZ_DEADLINE_GRACE_SECONDS", 30)

# --- Search ---------------------------------------------------------------------------------------------
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "whoosh")
SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(VAR_DIR / "search-index")))


def search_backends(choice: str, index_dir: Path | None = None) -> dict:
    """WAGTAILSEARCH_BACKENDS for SEARCH_BACKEND=whoosh|database|opensearch|elasticsearch.

    SEARCH_BACKENDS_ALSO (comma-separated, same names) adds backends kept up to date beside the default,
    e.g. to fill OpenSearch with `manage.py update_index --backend opensearch` before switching
    (docs/search.md).
    """

    def one(name: str) -> dict:
        if name == "whoosh":
            return {
                "BACKEND": "website.search.backend",
                "PATH": str(index_dir or SEARCH_INDEX_DIR),
                # update_index's worker processes; 0 = one per CPU.
                "REBUILD_WORKERS": env_int("SEARCH_REBUILD_WORKERS", 0) or None,
            }
        if name == "database":
            return {"BACKEND": "wagtail.search.backends.database"}
        if name in {"opensearch", "elasticsearch"}:
            from website.search.opensearch import CJK_INDEX_SETTINGS

            return {
                "BACKEND": "modelsearch.backends.elasticsearch9"
                if name == "elasticsearch"
                else "modelsearch.backends.opensearch3",
                "URLS": env_list("SEARCH_URLS", ["http://localhost:9200"]),
                "INDEX": env_str("SEARCH_INDEX_NAME", "servewell"),
                "INDEX_SETTINGS": CJK_INDEX_SETTINGS,
            }
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND must be whoosh, database, opensearch or elasticsearch; got {name!r}"
        )

    backends = {"default": one(choice)}
    for extra in env_list("SEARCH_BACKENDS_ALSO", []):
        if extra != choice:
            backends[extra] = one(extra)
    return backends


WAGTAILSEARCH_BACKENDS = search_backends(SEARCH_BACKEND)

# `manage.py load_demo` writes demo people with a known password: only dev and test switch it on.
DEMO_DATA_ALLOWED = False

# --- Wagtail --------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "ServeWell"
# No Gravatar: an internal bank site must not send hashes of staff emails to a third party (and the image
# would not load behind the bank proxy anyway); Wagtail then shows its built-in avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The one base URL for links outside a request (emails, reminders): core.urls.absolute_url.
PUBLIC_BASE_URL = env_str("SERVEWELL_PUBLIC_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_USAGE_COUNT_ENABLED = True
# Approving a workflow publishes even though approvers have no direct publish permission (kb/workflows.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "kb.workflows.publish_approved"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
TAGGIT_CASE_INSENSITIVE = True

# --- Security (production tightens further) -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# The read-only HR API (api/, docs/dashboards.md): JSON only, token or session, OpenAPI at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ServeWell HR API",
    "DESCRIPTION": "Read-only: people, assignments, completions, appraisal summaries and xAPI statements, "
    "scoped like the team page. Authenticate with `Authorization: Token <key>` (manage.py api_token).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_hr_api"],
}
