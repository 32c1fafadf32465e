"""The one base URL for links that leave a request: emails, reminders, calendar entries.

``settings.PUBLIC_BASE_URL`` (env ``SERVEWELL_PUBLIC_URL``; `make run` sets it to the address it serves
on). Pages seen in a browser and feeds use the request's own host instead.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from django.conf import settings


def absolute_url(path_or_url: str) -> str:
    """``path_or_url`` on the public base URL (a full URL keeps only its path, query and fragment)."""
    parts = urlsplit(path_or_url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.fragment:
        path += "#" + parts.fragment
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", path.lstrip("/"))
