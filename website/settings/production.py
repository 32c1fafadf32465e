"""Production: refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; HTTPS everywhere."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_required

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
# Wagtail's live preview shows pages in a same-origin iframe, so frames stay SAMEORIGIN (not DENY).
SILENCED_SYSTEM_CHECKS = ["security.W019"]
