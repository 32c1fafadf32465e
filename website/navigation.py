"""The main navigation. Later features add their entries here (this module sits at the top layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from website.people.selectors import has_team


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable = lambda user: True


NAV_ITEMS = [
    NavItem("home", _("Home"), "wagtail_serve_root"),
    NavItem("team", _("My team"), "team", visible=has_team),
]


def nav_for(request) -> list[dict]:
    path = request.path
    items = []
    for item in NAV_ITEMS:
        if not item.visible(request.user):
            continue
        url = reverse(item.url_name) if item.url_name != "wagtail_serve_root" else "/"
        active = path == "/" if url == "/" else path.startswith(url)
        items.append({"key": item.key, "label": item.label, "url": url, "active": active})
    return items
