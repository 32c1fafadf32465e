"""Shared page plumbing: views registered per page type, and the abstract base of section index pages.

Page models stay thin and never import their app's selectors or views (which import the models): a page's
context and sub-routes are functions the app registers with ``page_views`` from its views module, imported in
its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

PageView = Callable[..., Any]

CONTEXT = "context"  # the view name for extra template context: fn(page, request) -> dict


class PageViews:
    """Functions that serve page types, by (page class, name); a subclass inherits its bases' views."""

    def __init__(self) -> None:
        self._views: dict[tuple[type, str], PageView] = {}

    def register(self, model: type[Page], name: str = CONTEXT) -> Callable[[PageView], PageView]:
        def decorator(func: PageView) -> PageView:
            self._views[(model, name)] = func
            return func

        return decorator

    def find(self, page: Page, name: str) -> PageView | None:
        for cls in type(page).__mro__:
            if (view := self._views.get((cls, name))) is not None:
                return view
        return None


page_views = PageViews()


class RegisteredViewsMixin:
    """A page whose extra context and sub-routes come from ``page_views``."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if (view := page_views.find(self, CONTEXT)) is not None:
            context.update(view(self, request))
        return context

    def serve_view(self, request, name: str, **kwargs):
        view = page_views.find(self, name)
        if view is None:
            raise LookupError(f"No view {name!r} is registered for {type(self).__name__}")
        return view(self, request, **kwargs)


class SectionIndexPage(RegisteredViewsMixin, Page):
    """The one index page of a section under the home page (程序標準, 法規動態, 培訓課程): an introduction
    above a listing that the section's app registers as the page type's context view."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "ol", "ul", "link", "document-link"]
    )

    parent_page_types = ["home.HomePage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True
