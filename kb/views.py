"""Staff-facing views of procedures and regulation updates: the version in force, any published version,
history, compare, acknowledge; and the regulation feed with its filters."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Page

from core.pages import page_views
from core.params import parse_int
from kb.forms import MarkReviewedForm, RegulationFilterForm
from kb.models import (
    AcknowledgedPage,
    Acknowledgement,
    ProcedureCategoryPage,
    ProcedurePage,
    ProceduresIndexPage,
    PublishedVersion,
    RegulationIndexPage,
    RegulationUpdatePage,
)
from kb.selectors import (
    AUDIT_READ,
    can_review_procedure,
    categories_with_counts,
    latest_review,
    latest_version,
    open_review_flags,
    owed_rows,
    owed_team_progress,
    procedures_in,
    regulation_feed,
    upcoming_version,
    version_in_force,
    versions_of,
)
from kb.services import (
    AcknowledgementError,
    acknowledge,
    comprehension_check_passed,
    procedure_mark_reviewed,
)
from people.access import is_read_only
from people.models import StaffProfile
from people.selectors import profile_for, team_of
from people.services import feed_token_for


def _procedure_context(doc: ProcedurePage, request) -> dict:
    """Attachments, related pages and owner of the shown revision, with a fixed number of queries."""
    attachments = list(doc.attachments.all())
    documents = get_document_model().objects.in_bulk([a.document_id for a in attachments])
    link_ids = [link.target_id for link in doc.related_links.all()]
    related = Page.objects.filter(pk__in=link_ids).live().specific().in_bulk() if link_ids else {}
    owner = (
        StaffProfile.objects.select_related("department", "position").filter(pk=doc.content_owner_id).first()
        if doc.content_owner_id
        else None
    )
    related_pages = [related[pk] for pk in link_ids if pk in related]
    regulations = (
        RegulationUpdatePage.objects.live()
        .filter(affected_procedures__procedure_id=doc.pk)
        .select_related("issuer")
        .order_by("-issued_date")
    )
    return {
        "can_review": can_review_procedure(request.user, doc),
        "documents": [documents[a.document_id] for a in attachments if a.document_id in documents],
        "related_procedures": [p for p in related_pages if isinstance(p, ProcedurePage)],
        "related_other": [p for p in related_pages if not isinstance(p, ProcedurePage)],
        "regulations": regulations,
        "owner": owner,
    }


def _regulation_context(doc: RegulationUpdatePage, request) -> dict:
    procedure_ids = [link.procedure_id for link in doc.affected_procedures.all()]
    procedures = (
        ProcedurePage.objects.live().filter(pk__in=procedure_ids).order_by("code") if procedure_ids else []
    )
    training = doc.related_training.specific if doc.related_training_id and doc.related_training else None
    return {
        "affected": procedures,
        "training": training,
        "issuer": doc.issuer,
        "can_trace": request.user.has_perm("people.view_all_staff"),
    }


CONTEXT_BY_TYPE = {ProcedurePage: _procedure_context, RegulationUpdatePage: _regulation_context}


def _shown_object(page: AcknowledgedPage, version: PublishedVersion | None) -> AcknowledgedPage:
    if version is None or version.revision_id == page.live_revision_id:
        return page
    return version.revision.as_object()


def _render(page: AcknowledgedPage, request, version: PublishedVersion | None, *, is_current: bool, versions):
    in_force = version_in_force(versions)
    doc = _shown_object(page, version)
    context = {
        "page": page,
        "self": page,
        "doc": doc,
        "version": version,
        "in_force": in_force,
        "upcoming": upcoming_version(versions),
        "versions": versions,
        "is_current_view": is_current,
        **CONTEXT_BY_TYPE[type(page)](doc, request),
    }
    context["read_only"] = is_read_only(request.user)
    if is_current and in_force is not None:
        context["team_progress"] = _team_progress(page, request.user)
        profile = profile_for(request.user)
        context["ack"] = Acknowledgement.objects.filter(
            user=request.user, page_id=page.pk, version_number=in_force.number
        ).first()
        owed = owed_rows([profile], [page]) if profile else []  # the obligation table
        context["ack_due"] = owed[0].due_date if owed else None
        # A repealed update, or one replaced by an update the reader must read, asks nothing of them.
        context["not_required"] = (
            isinstance(page, RegulationUpdatePage)
            and page.status in (page.REPEALED, page.SUPERSEDED)
            and not owed
            and context["ack"] is None
        )
        if page.comprehension_quiz_id and context["ack"] is None:
            context["check"] = _comprehension_check(page, in_force, request.user)
    return TemplateResponse(request, page.get_template(request), context)


def _comprehension_check(page: AcknowledgedPage, version: PublishedVersion, user) -> dict:
    """The check to pass before acknowledging: its quiz, size, start URL, and whether it is passed."""
    quiz = page.comprehension_quiz
    return {
        "quiz": quiz,
        "questions": quiz.question_count(),
        "passed": comprehension_check_passed(user, page, version),
        "start_url": reverse("quiz_start", args=[quiz.pk]),
    }


def _team_progress(page: AcknowledgedPage, user):
    """For a supervisor: who in their team must acknowledge the version in force and who has not yet."""
    me = profile_for(user)
    if me is None or not user.has_perm("people.view_team"):
        return None
    team = list(team_of(me))
    return owed_team_progress(page, team) if team else None


@page_views.register(ProceduresIndexPage)
def procedures_index_context(page: ProceduresIndexPage, request) -> dict:
    return {"categories": categories_with_counts(page)}


@page_views.register(ProcedureCategoryPage)
def duty_area_context(page: ProcedureCategoryPage, request) -> dict:
    return {"procedures": procedures_in(page, user=request.user)}


@page_views.register(AcknowledgedPage, "current")
def document_current(page: AcknowledgedPage, request):
    versions = list(versions_of(page))
    in_force = version_in_force(versions)
    shown = in_force or (versions[-1] if versions else None)  # not yet in force: show the first version
    return _render(page, request, shown, is_current=True, versions=versions)


def _find_version(versions: list[PublishedVersion], label: str) -> PublishedVersion:
    for version in versions:
        if version.label == label:
            return version
    raise Http404(_("There is no version %(label)s of this document.") % {"label": label})


@page_views.register(AcknowledgedPage, "version")
def document_version(page: AcknowledgedPage, request, label: str):
    versions = list(versions_of(page))
    return _render(page, request, _find_version(versions, label), is_current=False, versions=versions)


@page_views.register(AcknowledgedPage, "history")
def document_history(page: AcknowledgedPage, request):
    versions = list(versions_of(page))
    context = {
        "page": page,
        "self": page,
        "versions": versions,
        "in_force": version_in_force(versions),
        "review": latest_review(page) if isinstance(page, ProcedurePage) else None,
        "can_read_admin_history": request.user.has_perm(AUDIT_READ)
        or page.permissions_for_user(request.user).can_edit(),
    }
    return TemplateResponse(request, "kb/version_history.html", context)


@page_views.register(AcknowledgedPage, "compare")
def document_compare(page: AcknowledgedPage, request):
    versions = list(versions_of(page))
    if len(versions) < 2:
        raise Http404(_("This document has only one version."))
    old = _find_version(versions, request.GET.get("from") or versions[1].label)
    new = _find_version(versions, request.GET.get("to") or versions[0].label)
    diff = []
    for op in difflib.ndiff(
        _shown_object(page, old).plain_text_lines(), _shown_object(page, new).plain_text_lines()
    ):
        if not op.startswith("? "):
            diff.append({"kind": {"+ ": "added", "- ": "removed"}.get(op[:2], "same"), "text": op[2:]})
    context = {
        "page": page,
        "self": page,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": diff,
        "changes": sum(1 for line in diff if line["kind"] != "same"),
    }
    return TemplateResponse(request, "kb/version_compare.html", context)


@page_views.register(AcknowledgedPage, "acknowledge")
def document_acknowledge(page: AcknowledgedPage, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    number = parse_int(request.POST.get("version"))
    if number is None:
        messages.error(request, _("The version to acknowledge is missing. Reload the page and try again."))
        return redirect(page.url)
    try:
        _ack, created = acknowledge(user=request.user, page=page, version_number=number)
    except AcknowledgementError as exc:
        messages.error(request, str(exc))
    else:
        if created:
            messages.success(
                request, _("Thank you. Your acknowledgement of version %(v)s is recorded.") % {"v": number}
            )
        else:
            messages.info(request, _("You had already acknowledged version %(v)s.") % {"v": number})
    return redirect(page.url)


@page_views.register(ProcedurePage, "review")
def procedure_review(page: ProcedurePage, request):
    """ "Reviewed, no change" on the site, for owners without admin access (and compliance officers)."""
    if not can_review_procedure(request.user, page):
        raise PermissionDenied(_("Only the procedure's owner or a compliance officer can record a review."))
    form = MarkReviewedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        procedure_mark_reviewed(user=request.user, page=page, comment=form.cleaned_data["comment"])
        messages.success(request, _("%(code)s marked as reviewed with no change.") % {"code": page.code})
        return redirect("/")
    context = {
        "page": page,
        "self": page,
        "form": form,
        "version": latest_version(page),
        "review": latest_review(page),
        "flags": open_review_flags([page.pk]),
    }
    return TemplateResponse(request, "kb/procedure_review.html", context)


# --- the regulation feed ------------------------------------------------------------------------------


def _feed_urls(user) -> dict[str, str]:
    token = feed_token_for(user)
    return {
        "rss": reverse("kb_regulation_rss", args=[token]),
        "atom": reverse("kb_regulation_atom", args=[token]),
    }


@page_views.register(RegulationIndexPage)
def regulation_feed_context(index_page: RegulationIndexPage, request) -> dict:
    form = RegulationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    profile = profile_for(request.user)
    updates = regulation_feed(index_page, user=request.user, profile=profile, **filters)
    page_obj = Paginator(updates, 20).get_page(request.GET.get("page"))
    return {
        "filter_form": form,
        "page_obj": page_obj,
        "updates": page_obj.object_list,
        "feed_urls": _feed_urls(request.user),
        "filters_active": bool(filters and any(filters.values())),
    }
