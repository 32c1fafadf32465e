"""Wagtail admin screens for procedure owners: the review-due report and "reviewed, no change"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail.admin.views.reports import ReportView

from kb.models import ProcedurePage
from kb.selectors import latest_version, review_schedule
from kb.services import procedure_mark_reviewed
from people.selectors import profile_for


def can_review(user) -> bool:
    """Owners and editors: anyone who can edit pages (content editors, compliance officers, superusers)."""
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return PagePermissionPolicy().user_has_any_permission(user, ["change", "publish"])


class ReviewDueReportView(ReportView):
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


class MarkReviewedForm(forms.Form):
    comment = forms.CharField(
        label=_("What did you check?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "e.g. Checked against the 2026 complaint statistics and the new hotline hours; still correct."
        ),
    )


def mark_reviewed(request, page_id: int):
    if not can_review(request.user):
        raise PermissionDenied
    page = get_object_or_404(ProcedurePage.objects.live(), pk=page_id)
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
        everything = review_schedule(within_days=0)
        context["all_due"] = sum(1 for item in everything if item.days_late > 0)
        context["all_flagged"] = sum(1 for item in everything if item.flags)
        return context
