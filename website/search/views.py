"""The site search page (/search/) and title suggestions for the navigation's search box.

Uses only Wagtail's search API, so it works with whichever backend SEARCH_BACKEND selects.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from core.params import int_param
from kb.models import ProcedureCategoryPage, ProcedurePage, ProcedureTag, RegulationTag, RegulationUpdatePage
from kb.selectors import in_force_by_page
from website.search.analysis import highlight, snippet

SEARCHABLE = {"procedure": ProcedurePage, "regulation": RegulationUpdatePage}
TYPE_LABELS = {"procedure": _("Procedures"), "regulation": _("Regulation updates")}
PER_PAGE = 10
MAX_QUERY = 100


@dataclass
class Facet:
    value: str
    label: str
    count: int
    selected: bool


def visible_pages(request):
    """Live pages of the searchable types, minus any under a view restriction this user does not pass."""
    pages = Page.objects.live().type(*SEARCHABLE.values())
    for restriction in PageViewRestriction.objects.select_related("page"):
        if not restriction.accept_request(request):
            pages = pages.not_descendant_of(restriction.page, inclusive=True)
    return pages


def _facets(ids: list[int], params) -> dict[str, list[Facet]]:
    """Type, duty area and tag counts over every match (a few queries, however many matches)."""
    by_type = {
        key: set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for key, model in SEARCHABLE.items()
    }
    procedure_paths = list(
        ProcedurePage.objects.filter(pk__in=by_type["procedure"]).values_list("path", flat=True)
    )
    areas = []
    for area in ProcedureCategoryPage.objects.live().order_by("number"):
        count = sum(1 for path in procedure_paths if path.startswith(area.path))
        if count:
            areas.append(
                Facet(str(area.pk), f"{area.number}. {area.title}", count, params.get("area") == str(area.pk))
            )
    tag_counts: dict[str, int] = {}
    for through in (ProcedureTag, RegulationTag):
        for name in through.objects.filter(content_object_id__in=ids).values_list("tag__name", flat=True):
            tag_counts[name] = tag_counts.get(name, 0) + 1
    tags = [
        Facet(name, name, count, params.get("tag") == name)
        for name, count in sorted(tag_counts.items(), key=lambda item: (-item[1], item[0]))[:15]
    ]
    types = [
        Facet(key, str(TYPE_LABELS[key]), len(found), params.get("type") == key)
        for key, found in by_type.items()
        if found
    ]
    return {"type": types, "area": areas, "tag": tags}


def _narrow(pages, params, area: int | None = None):
    """Apply the chosen facets (before searching, so counts and results agree); ``area`` is checked by
    ``int_param`` in the view (a bad one is a 400)."""
    kind = params.get("type", "")
    if kind in SEARCHABLE:
        pages = pages.type(SEARCHABLE[kind])
    if area is not None:
        category = ProcedureCategoryPage.objects.filter(pk=area).first()
        if category:
            pages = pages.descendant_of(category)
    tag = params.get("tag", "")
    if tag:
        tagged = set(ProcedureTag.objects.filter(tag__name=tag).values_list("content_object_id", flat=True))
        tagged |= set(RegulationTag.objects.filter(tag__name=tag).values_list("content_object_id", flat=True))
        pages = pages.filter(pk__in=tagged)
    return pages


@dataclass
class Hit:
    page: Page
    kind: str
    title: str
    extract: str
    version: object | None


TAGGED_MAX = 200


def search(request):
    params = request.GET
    query = params.get("q", "").strip()[:MAX_QUERY]
    context = {"query": query, "type_labels": TYPE_LABELS}
    if not query:
        context["areas"] = ProcedureCategoryPage.objects.live().order_by("number")
        if tag := params.get("tag", "").strip()[:MAX_QUERY]:  # a tag link on a page: everything tagged so
            context["tag"] = tag
            tagged = _narrow(visible_pages(request), {"tag": tag}).order_by("title")[:TAGGED_MAX]
            context["tagged"] = list(tagged.specific())
        return TemplateResponse(request, "search/search.html", context)
    base = visible_pages(request)
    results = _narrow(base, params, int_param(request, "area")).search(query, operator="and")
    ids = list(base.search(query, operator="and").facet("id").keys())
    page_obj = Paginator(results, PER_PAGE).get_page(params.get("page"))
    specific = Page.objects.filter(pk__in=[p.pk for p in page_obj.object_list]).specific().select_related()
    by_pk = {p.pk: p for p in specific}
    versions = in_force_by_page(list(by_pk))
    hits = []
    for found in page_obj.object_list:
        page = by_pk.get(found.pk)
        if page is None:
            continue
        kind = "procedure" if isinstance(page, ProcedurePage) else "regulation"
        text = " ".join(page.plain_text_lines(labels=False))
        hits.append(
            Hit(
                page,
                kind,
                highlight(page.title, query),
                snippet(text, query, length=140),
                versions.get(page.pk),
            )
        )
    context.update(
        {
            "page_obj": page_obj,
            "hits": hits,
            "total": page_obj.paginator.count,
            "facets": _facets(ids, params),
            "index_unavailable": getattr(results, "index_unavailable", False),
            "filters_active": any(params.get(key) for key in ("type", "area", "tag")),
        }
    )
    return TemplateResponse(request, "search/search.html", context)


def suggest(request):
    """Up to 8 titles for the search box, from the autocomplete index."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    if len(query) < 1:
        return JsonResponse({"results": []})
    pages = visible_pages(request).autocomplete(query)[:8]
    return JsonResponse({"results": [{"title": p.title, "url": p.url} for p in pages]})
