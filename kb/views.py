"""Staff-facing procedure views: the version in force, any published version, history, compare, acknowledge."""

from __future__ import annotations

import difflib
import re
from html import unescape

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Page

from kb.models import Acknowledgement, ProcedurePage, ProcedureVersion
from kb.selectors import latest_review, upcoming_version, version_in_force, versions_of
from kb.services import AcknowledgementError, procedure_acknowledge
from website.people.models import StaffProfile
from website.people.selectors import profile_for


def _document_context(page: ProcedurePage, doc: ProcedurePage) -> dict:
    """Attachments, related pages and owner of the shown revision, with a fixed number of queries."""
    attachments = list(doc.attachments.all())
    documents = get_document_model().objects.in_bulk([a.document_id for a in attachments])
    link_ids = [link.target_id for link in doc.related_links.all()]
    related = Page.objects.filter(pk__in=link_ids).live().specific().in_bulk()
    owner = (
        StaffProfile.objects.select_related("department", "position").filter(pk=doc.content_owner_id).first()
        if doc.content_owner_id
        else None
    )
    related_pages = [related[pk] for pk in link_ids if pk in related]
    return {
        "doc": doc,
        "documents": [documents[a.document_id] for a in attachments if a.document_id in documents],
        "related_procedures": [p for p in related_pages if isinstance(p, ProcedurePage)],
        "related_other": [p for p in related_pages if not isinstance(p, ProcedurePage)],
        "owner": owner,
    }


def _shown_object(page: ProcedurePage, version: ProcedureVersion | None) -> ProcedurePage:
    if version is None or version.revision_id == page.live_revision_id:
        return page
    return version.revision.as_object()


def procedure_current(page: ProcedurePage, request):
    versions = list(versions_of(page))
    in_force = version_in_force(versions)
    if in_force is None:  # published, but its first version takes effect later
        in_force_shown = versions[0] if versions else None
    else:
        in_force_shown = in_force
    ack = None
    due = None
    if in_force is not None:
        ack = Acknowledgement.objects.filter(user=request.user, page_id=page.pk, version_number=in_force.number).first()
        profile = profile_for(request.user)
        due = in_force.ack_due(page.ack_due_days, profile.hire_date if profile else None)
    context = {
        "page": page,
        "self": page,
        "version": in_force_shown,
        "in_force": in_force,
        "upcoming": upcoming_version(versions),
        "versions": versions,
        "ack": ack,
        "ack_due": due,
        "is_current_view": True,
        **_document_context(page, _shown_object(page, in_force_shown)),
    }
    return TemplateResponse(request, "kb/procedure_page.html", context)


def _find_version(versions: list[ProcedureVersion], label: str) -> ProcedureVersion:
    for version in versions:
        if version.label == label:
            return version
    raise Http404(_("There is no version %(label)s of this procedure.") % {"label": label})


def procedure_version(page: ProcedurePage, request, label: str):
    versions = list(versions_of(page))
    version = _find_version(versions, label)
    in_force = version_in_force(versions)
    context = {
        "page": page,
        "self": page,
        "version": version,
        "in_force": in_force,
        "upcoming": upcoming_version(versions),
        "versions": versions,
        "is_current_view": False,
        **_document_context(page, _shown_object(page, version)),
    }
    return TemplateResponse(request, "kb/procedure_page.html", context)


def procedure_history(page: ProcedurePage, request):
    versions = list(versions_of(page))
    context = {
        "page": page,
        "self": page,
        "versions": versions,
        "in_force": version_in_force(versions),
        "review": latest_review(page),
    }
    return TemplateResponse(request, "kb/procedure_history.html", context)


def _plain_lines(doc: ProcedurePage) -> list[str]:
    """The procedure as plain text lines, the unit a compare shows."""

    def text(html: str) -> list[str]:
        html = re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", str(html))
        return [line.strip() for line in unescape(strip_tags(html)).splitlines() if line.strip()]

    lines = [f"{doc.code} {doc.title}", _("Summary"), doc.summary, _("Purpose"), *text(doc.purpose)]
    lines += [_("Scope"), *text(doc.scope), _("Responsibilities")]
    lines += [f"{b.value['role']}：{b.value['duty']}" for b in doc.responsibilities]
    lines.append(_("Steps"))
    for n, block in enumerate(doc.steps, start=1):
        step = block.value
        lines.append(f"{n}. {step['title']}（{step['responsible_role']}；{step['time_limit'] or '—'}）")
        lines += text(step["instructions"].source)
        if step["note"]:
            lines.append(f"※ {step['note']}")
    return lines


def procedure_compare(page: ProcedurePage, request):
    versions = list(versions_of(page))
    if len(versions) < 2:
        raise Http404(_("This procedure has only one version."))
    old = _find_version(versions, request.GET.get("from") or versions[1].label)
    new = _find_version(versions, request.GET.get("to") or versions[0].label)
    old_lines = _plain_lines(_shown_object(page, old))
    new_lines = _plain_lines(_shown_object(page, new))
    diff = []
    for op in difflib.ndiff(old_lines, new_lines):
        if op.startswith("? "):
            continue
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
    return TemplateResponse(request, "kb/procedure_compare.html", context)


def procedure_acknowledge_view(page: ProcedurePage, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        number = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("The version to acknowledge is missing. Reload the page and try again."))
        return redirect(page.url)
    try:
        ack, created = procedure_acknowledge(user=request.user, page=page, version_number=number)
    except AcknowledgementError as exc:
        messages.error(request, str(exc))
    else:
        if created:
            messages.success(request, _("Thank you. Your acknowledgement of version %(v)s is recorded.") % {"v": number})
        else:
            messages.info(request, _("You had already acknowledged version %(v)s.") % {"v": number})
    return redirect(page.url)
