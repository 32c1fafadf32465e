from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from kb.selectors import pending_acknowledgements
from people.selectors import has_team, profile_for, reporting_line, team_of


class HomePage(Page):
    """The site root: each person's dashboard."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["kb.ProceduresIndexPage", "kb.RegulationIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["me"] = profile_for(request.user)
        context["has_team"] = has_team(request.user)
        me = context["me"]
        context["pending_acks"] = pending_acknowledgements(request.user, me)
        context["chain"] = reporting_line(me) if me else []
        context["team_size"] = team_of(me).count() if me and context["has_team"] else None
        return context
