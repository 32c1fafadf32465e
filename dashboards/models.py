from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from assignments.selectors import my_work
from kb.selectors import pending_owed, review_schedule
from people.access import is_read_only
from people.selectors import has_team, profile_for, reporting_line, team_scope

ACKS_IN_VIEW = 8


class HomePage(Page):
    """The site root: each person's dashboard."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["kb.ProceduresIndexPage", "kb.RegulationIndexPage", "courses.CoursesIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["me"] = profile_for(request.user)
        context["has_team"] = has_team(request.user)
        me = context["me"]
        context["read_only"] = is_read_only(request.user)  # auditors acknowledge nothing
        work = me is not None and not context["read_only"]
        context["work"] = my_work(me) if work else None
        context["pending_acks"] = (
            [row for row in pending_owed(request.user, me) if not row.overdue] if work else []
        )
        listed = {row.page.pk for row in context["pending_acks"]}
        context["other_acks"] = (  # pages assigned by a rule or a supervisor rather than their own audience
            [item for item in context["work"].acknowledgements if item.obligation.target_id not in listed]
            if work
            else []
        )
        context["ack_count"] = len(context["pending_acks"]) + len(context["other_acks"])
        # The first few by due date stay in view; a new hire owes dozens, the rest fold under "show all".
        shown = max(0, ACKS_IN_VIEW - len(context["pending_acks"]))
        context["more_pending_acks"] = context["pending_acks"][ACKS_IN_VIEW:]
        context["pending_acks"] = context["pending_acks"][:ACKS_IN_VIEW]
        context["more_other_acks"] = context["other_acks"][shown:]
        context["other_acks"] = context["other_acks"][:shown]
        context["more_ack_count"] = len(context["more_pending_acks"]) + len(context["more_other_acks"])
        context["chain"] = reporting_line(me) if me else []
        if context["has_team"]:
            people, context["own_team"] = team_scope(request.user, me)
            context["team_size"] = people.count()
        context["to_review"] = review_schedule(within_days=30, owner=me) if me else []
        return context
