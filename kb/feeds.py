"""Private RSS 2.0 and Atom feeds of regulation updates, addressed by a revocable per-person token."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from kb.models import RegulationIndexPage, RegulationUpdatePage
from people.services import feed_token_user


class RegulationRssFeed(Feed):
    title = _("ServeWell regulation updates")
    description = _("New rules from regulators and the bank, newest first.")

    def get_object(self, request, token: str):
        user = feed_token_user(token)
        if user is None:
            raise Http404("Unknown feed address")
        self.request = request
        return user

    def _on_request_host(self, page) -> str:
        """The page on the host the reader used (Wagtail's Site record says http://localhost in the demo)."""
        parts = page.get_url_parts(self.request)
        return self.request.build_absolute_uri(parts[2] if parts else "/")

    def link(self, user) -> str:
        index = RegulationIndexPage.objects.live().first()
        return self._on_request_host(index) if index else self.request.build_absolute_uri("/")

    def items(self, user):
        return (
            RegulationUpdatePage.objects.live().select_related("issuer").order_by("-issued_date", "-pk")[:50]
        )

    def item_title(self, item: RegulationUpdatePage) -> str:
        return f"[{item.issuer.short_name}] {item.title}"

    def item_description(self, item: RegulationUpdatePage) -> str:
        return _("%(summary)s (Effective %(date)s; %(impact)s impact)") % {
            "summary": item.summary,
            "date": item.effective_date.isoformat(),
            "impact": item.get_impact_display(),
        }

    def item_link(self, item: RegulationUpdatePage) -> str:
        return self._on_request_host(item)

    def item_guid(self, item: RegulationUpdatePage) -> str:
        return f"servewell-regulation-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: RegulationUpdatePage) -> datetime.datetime:
        return item.first_published_at or timezone.make_aware(
            datetime.datetime.combine(item.issued_date, datetime.time())
        )

    def item_updateddate(self, item: RegulationUpdatePage) -> datetime.datetime:
        return item.last_published_at or self.item_pubdate(item)

    def item_categories(self, item: RegulationUpdatePage):
        return [tag.name for tag in item.tags.all()]


class RegulationAtomFeed(RegulationRssFeed):
    feed_type = Atom1Feed
    subtitle = RegulationRssFeed.description
