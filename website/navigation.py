"""The main navigation. Entries point at URL names or at the single live page of an index type.

This module sits at the top layer, so it may name any app's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kb.selectors import unread_regulations
from people.selectors import has_reports, has_team


def unread_notification_count(user) -> int:
    return user.notifications.filter(read_at__isnull=True).count()


def unread_regulation_count(user) -> int:
    return unread_regulations(user, getattr(user, "staff_profile", None)).count()


def team_label(user) -> str:
    """The team page is "My team" for people with reports and the staff directory for org-wide roles."""
    if has_reports(user):
        return _("My team")
    return _("Staff directory")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str = ""
    page_type: str = ""  # "app_label.ModelName" of an index page (one live instance)
    visible: Callable = lambda user: True
    count: Callable | None = None  # a badge number for the user (one query), e.g. unread items
    label_for: Callable | None = None  # the label for this user, when it depends on them


NAV_ITEMS = [
    NavItem("home", _("Home"), url_name="home"),
    NavItem("procedures", _("Procedures"), page_type="kb.ProceduresIndexPage"),
    NavItem(
        "regulations",
        _("Regulation updates"),
        page_type="kb.RegulationIndexPage",
        count=unread_regulation_count,
    ),
    NavItem("training", _("My training"), url_name="my_training"),
    NavItem("quizzes", _("Quizzes"), url_name="quizzes"),
    NavItem("team", _("My team"), url_name="team", visible=has_team, label_for=team_label),
    NavItem("notifications", _("Notifications"), url_name="notifications", count=unread_notification_count),
]


def _index_page_urls(request) -> dict[str, str]:
    """URL of each index page type named in NAV_ITEMS, in one query."""
    from django.apps import apps
    from wagtail.models import Page

    models = {
        apps.get_model(item.page_type)._meta.label_lower: item.page_type
        for item in NAV_ITEMS
        if item.page_type
    }
    if not models:
        return {}
    pages = (
        Page.objects.live()
        .filter(
            content_type__app_label__in={label.split(".")[0] for label in models},
            content_type__model__in={label.split(".")[1] for label in models},
        )
        .select_related("content_type")
    )
    urls: dict[str, str] = {}
    for page in pages:
        key = models.get(f"{page.content_type.app_label}.{page.content_type.model}")
        if key:
            urls.setdefault(key, page.get_url(request))
    return urls


def nav_for(request) -> list[dict]:
    path = request.path
    page_urls = _index_page_urls(request)
    items = []
    for item in NAV_ITEMS:
        if not item.visible(request.user):
            continue
        url = reverse(item.url_name) if item.url_name else page_urls.get(item.page_type)
        if not url:
            continue
        active = path == url if url == "/" else path.startswith(url)
        count = item.count(request.user) if item.count else 0
        label = item.label_for(request.user) if item.label_for else item.label
        items.append({"key": item.key, "label": label, "url": url, "active": active, "count": count})
    return items
