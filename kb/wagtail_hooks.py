from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from kb.admin_views import (
    AuditablePageViewSet,
    ReviewDuePanel,
    ReviewDueReportView,
    can_review,
    mark_reviewed,
)
from kb.models import ProcedurePage, RegulationUpdatePage
from kb.viewsets import IssuerViewSet


@hooks.register("register_admin_urls")
def register_kb_admin_urls():
    return [
        path("reports/review-due/", ReviewDueReportView.as_view(), name="kb_review_due"),
        path(
            "reports/review-due/results/",
            ReviewDueReportView.as_view(results_only=True),
            name="kb_review_due_results",
        ),
        path("procedures/<id:page_id>/reviewed/", mark_reviewed, name="kb_mark_reviewed"),
    ]


class ReviewDueMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


@hooks.register("register_reports_menu_item")
def register_review_due_menu_item():
    return ReviewDueMenuItem(
        _("Due for review"), reverse("kb_review_due"), name="review-due", icon_name="time", order=50
    )


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request, panels):
    if can_review(request.user):
        panels.append(ReviewDuePanel())


register_snippet(IssuerViewSet)


@hooks.register("register_admin_viewset")
def register_auditable_page_viewsets():
    return [
        AuditablePageViewSet("kb_procedure_pages", model=ProcedurePage),
        AuditablePageViewSet("kb_regulation_pages", model=RegulationUpdatePage),
    ]
