"""Wagtail admin screens for procedure owners: the review-due report and "reviewed, no change"; and the page
history screens opened read-only to auditors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail.admin.views.pages import history as page_views
from wagtail.admin.views.pages import revisions as revision_views
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page

from core.spreadsheets import ListExportMixin
from kb.forms import MarkReviewedForm
from kb.models import ProcedurePage
from kb.selectors import AUDIT_READ, can_review_procedure, latest_version, review_schedule, reviewable_ids
from kb.services import procedure_mark_reviewed
from people.selectors import profile_for

VIEW_REVIEWS = "kb.view_procedurereview"


def _can_edit_pages(user) -> bool:
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return PagePermissionPolicy().user_has_any_permission(user, ["change", "publish"])


def can_review(user) -> bool:
    """Who sees the review report: whoever can edit pages (editors, compliance officers, superusers) and
    auditors (``kb.view_procedurereview``). Recording a review is narrower: ``can_review_procedure``."""
    return user.has_perm(VIEW_REVIEWS) or _can_edit_pages(user)


class ReviewDueReportView(ListExportMixin, ReportView):
    """Procedures whose review is due within 30 days or overdue, latest first."""

    page_title = _("Procedures due for review")
    header_icon = "time"
    results_template_name = "kb/admin/review_due_results.html"
    index_url_name = "kb_review_due"
    index_results_url_name = "kb_review_due_results"
    paginate_by = 100
    list_export = [
        "page.code",
        "page.title",
        "page.content_owner",
        "last_reviewed",
        "next_review",
        "days_late",
    ]
    export_headings = {
        "page.code": _("Code"),
        "page.title": _("Procedure"),
        "page.content_owner": _("Owner"),
        "last_reviewed": _("Last reviewed"),
        "next_review": _("Next review"),
        "days_late": _("Days late"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return review_schedule(within_days=30)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["reviewable"] = reviewable_ids(self.request.user, [i.page for i in context["object_list"]])
        context["can_edit_pages"] = _can_edit_pages(self.request.user)
        return context


def mark_reviewed(request, page_id: int):
    page = get_object_or_404(ProcedurePage.objects.live(), pk=page_id)
    if not can_review_procedure(request.user, page):
        raise PermissionDenied
    form = MarkReviewedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        procedure_mark_reviewed(user=request.user, page=page, comment=form.cleaned_data["comment"])
        messages.success(request, _("%(code)s marked as reviewed with no change.") % {"code": page.code})
        return redirect("kb_review_due")
    context = {"page": page, "form": form, "version": latest_version(page)}
    return TemplateResponse(request, "kb/admin/mark_reviewed.html", context)


class ReviewDuePanel(Component):
    """Wagtail dashboard: the signed-in owner's procedures due for review (all of them for editors)."""

    name = "kb_review_due"
    template_name = "kb/admin/review_due_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        context = super().get_context_data(parent_context)
        profile = profile_for(request.user)
        mine = review_schedule(within_days=30, owner=profile) if profile else []
        context["items"] = mine[:10]
        context["total"] = len(mine)
        context["reviewable"] = reviewable_ids(request.user, [item.page for item in mine[:10]])
        everything = review_schedule(within_days=0)
        context["all_due"] = sum(1 for item in everything if item.days_late > 0)
        context["all_flagged"] = sum(1 for item in everything if item.flags)
        return context


# --- page history, read-only for auditors ---------------------------------------------------------------
# Wagtail opens a page's history, workflow history and revisions only to people who may edit the page.
# Auditors (``AUDIT_READ``) read them without any page permission; every write screen stays closed to them.


def _reads_for_audit(user) -> bool:
    return user.has_perm(AUDIT_READ)


class AuditPageHistoryView(page_views.PageHistoryView):
    def get_object(self):
        if _reads_for_audit(self.request.user):
            return get_object_or_404(Page, id=self.pk).specific
        return super().get_object()

    def user_has_any_permission(self, permissions):
        return _reads_for_audit(self.request.user) or super().user_has_any_permission(permissions)


class AuditWorkflowHistoryView(page_views.WorkflowHistoryView):
    def dispatch(self, request, *args, **kwargs):
        if _reads_for_audit(request.user):  # skip PageWorkflowHistoryViewMixin's can_edit() check
            return super(page_views.PageWorkflowHistoryViewMixin, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class AuditWorkflowHistoryDetailView(page_views.WorkflowHistoryDetailView):
    def dispatch(self, request, *args, **kwargs):
        if _reads_for_audit(request.user):
            return super(page_views.PageWorkflowHistoryViewMixin, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class AuditRevisionsView(revision_views.RevisionsView):
    def get_object(self):
        if _reads_for_audit(self.request.user):
            return get_object_or_404(Page, id=self.pk).specific
        return super().get_object()

    def dispatch(self, request, *args, **kwargs):
        if _reads_for_audit(request.user):  # RevisionsView.dispatch demands a page permission
            return super(revision_views.RevisionsView, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class AuditRevisionsCompareView(revision_views.RevisionsCompareView):
    def get_object(self, queryset=None):
        if _reads_for_audit(self.request.user):
            return get_object_or_404(Page, id=self.pk).specific
        return super().get_object(queryset)

    def dispatch(self, request, *args, **kwargs):
        if _reads_for_audit(request.user):
            return super(revision_views.RevisionsCompareView, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class AuditablePageViewSet(PageViewSet):
    """Wagtail's page views, with history, workflow history and revisions readable by auditors."""

    history_view_class = AuditPageHistoryView
    workflow_history_view_class = AuditWorkflowHistoryView
    workflow_history_detail_view_class = AuditWorkflowHistoryDetailView
    revisions_view_class = AuditRevisionsView
    revisions_compare_view_class = AuditRevisionsCompareView
