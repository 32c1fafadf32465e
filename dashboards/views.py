"""Team and profile pages. A supervisor sees their own subtree and nobody else."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.models import Page

from assignments.forms import ManualAssignmentForm
from assignments.models import Obligation, Status
from assignments.selectors import my_work
from assignments.services import MANUAL_NOT_IN_SUBTREE, can_assign_to, obligation_assign
from core.params import int_param, parse_int
from core.spreadsheets import spreadsheet_response
from kb.selectors import owed_status, pending_owed
from people.models import Department
from people.selectors import VIEW_ALL, can_view_profile, has_team, profile_for, staff_list, team_scope
from people.services import feed_token_for, feed_token_regenerate
from quizzes.models.bank import DUTY_AREAS

from .charts import bar_chart, line_chart
from .exports import PERCENT, appraisal_sheets, export_title
from .periods import KINDS, PeriodError, current_period, last_months, period_from_params
from .selectors import (
    UNDERSTANDING_GROUPS,
    Filters,
    annotate_progress,
    completion_by_department,
    completion_by_month,
    first_attempt_understanding,
    matrix_cells,
    obligations_of,
    parse_item,
    person_timeline,
    team_items,
)


class TeamView(TemplateView):
    """Direct and indirect reports (supervisors) or the whole organisation (org-wide roles)."""

    template_name = "dashboards/team.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        user = self.request.user
        if not has_team(user):
            raise PermissionDenied(_("Only supervisors and org-wide roles can see a team list."))
        me = profile_for(user)
        params = self.request.GET
        include_inactive = params.get("inactive") == "1"
        people, own_team = team_scope(user, me, include_inactive=include_inactive)
        if own_team:
            departments = Department.objects.filter(staff__in=people.values("pk")).distinct()
        else:
            departments = Department.objects.all()
        query = params.get("q", "").strip()
        if query:
            people = people.filter(Q(display_name__icontains=query) | Q(employee_number__icontains=query))
        department = int_param(self.request, "department")
        if department is not None:
            people = people.filter(department_id=department)
        page = Paginator(people, self.paginate_by).get_page(params.get("page"))
        status = owed_status(list(page.object_list))
        for person in page.object_list:
            person.ack_status = status[person.pk]
        return {
            **super().get_context_data(**kwargs),
            "me": me,
            "own_team": own_team,
            "page_obj": page,
            "people": page.object_list,
            "departments": departments,
            "query": query,
            "department": "" if department is None else str(department),
            "include_inactive": include_inactive,
            "can_see_all": user.has_perm(VIEW_ALL),
        }


class ProfileView(TemplateView):
    template_name = "dashboards/profile.html"

    def get_context_data(self, **kwargs):
        person = get_object_or_404(staff_list(), pk=self.kwargs["pk"])
        if not can_view_profile(self.request.user, person):
            raise PermissionDenied(_("This profile is outside your team."))
        reports = person.direct_reports.select_related("department", "position").order_by("employee_number")
        context = {
            **super().get_context_data(**kwargs),
            "person": person,
            "reports": reports,
            "outstanding": pending_owed(person.user, person),
        }
        work = my_work(person)
        context["training"] = [
            item
            for item in (*work.overdue, *work.due_soon, *work.in_progress, *work.upcoming)
            if item.kind == "training"
        ]
        if can_assign_to(self.request.user, person):
            context["assign_form"] = ManualAssignmentForm()
        if person.user_id == self.request.user.pk:
            context["feed_token"] = feed_token_for(self.request.user)
        return context


@require_POST
def assign_training(request, pk: int):
    """A supervisor assigns training to someone in their subtree (checked here and in the service)."""
    person = get_object_or_404(staff_list(), pk=pk)
    if not can_assign_to(request.user, person):
        raise PermissionDenied(MANUAL_NOT_IN_SUBTREE)
    form = ManualAssignmentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
        return redirect(reverse("profile", args=[person.pk]) + "#training")
    try:
        obligation_assign(
            by_user=request.user,
            person=person,
            target=form.cleaned_data["target"],
            due_date=form.cleaned_data["due_date"],
        )
    except ValueError as exc:
        messages.error(request, f"{form.fields['due_date'].label}: {exc}")
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": person.display_name})
    return redirect(reverse("profile", args=[person.pk]) + "#training")


@require_POST
def regenerate_feed_token(request):
    feed_token_regenerate(request.user)
    messages.success(request, _("Your feed addresses have been replaced. Update them in your feed reader."))
    return redirect(reverse("my_profile") + "#feeds")


class MyProfileView(TemplateView):
    def get(self, request, *args, **kwargs):
        me = profile_for(request.user)
        if me is None:
            raise Http404(_("Your login has no staff profile."))
        return redirect("profile", pk=me.pk)


# --- Team dashboard, person timeline, appraisal ------------------------------------------------------------

STATUS_ORDER = [
    Status.COMPLETED_ON_TIME,
    Status.COMPLETED_LATE,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.OVERDUE,
    Status.EXPIRED,
]
SORTS = ("name", "progress", "overdue")
MAX_ID = 2**31 - 1


def _team_or_403(user):
    if not has_team(user):
        raise PermissionDenied(_("Only supervisors and org-wide roles can see a team's progress."))
    me = profile_for(user)
    people, own_team = team_scope(user, me)
    return me, people, own_team


def _int_param(params, name: str) -> int | None:
    """A department id from the query string (``params``: a QueryDict): blank → None, bad → 400 naming it."""
    value = params.get(name, "")
    if not value.strip():
        return None
    number = parse_int(value, maximum=MAX_ID)
    if number is None:
        raise BadRequest(_("%(param)s: enter a whole number.") % {"param": name})
    return number


def _filters(params) -> Filters:
    item = params.get("item", "")
    status = params.get("status", "")
    if item and parse_item(item) is None:
        raise BadRequest(_("item: choose an item from the list."))
    if status and status not in STATUS_ORDER:
        raise BadRequest(_("status: choose a status from the list."))
    period = None
    if params.get("period"):
        try:
            period = period_from_params(params)
        except PeriodError as exc:
            raise BadRequest(str(exc)) from exc
    return Filters(
        department=_int_param(params, "department"), item=parse_item(item), status=status, period=period
    )


class TeamDashboardView(TemplateView):
    """People × required items of a supervisor's subtree (org-wide roles: everyone), totals and charts."""

    template_name = "dashboards/team_dashboard.html"
    per_page = 25
    items_per_page = 10

    def get_context_data(self, **kwargs):
        params = self.request.GET
        me, people, own_team = _team_or_403(self.request.user)
        filters = _filters(params)
        sort = params.get("sort", "name")
        if sort not in SORTS:
            raise BadRequest(_("sort: choose name, progress or overdue."))
        departments = Department.objects.filter(pk__in=people.values("department_id")).order_by("name")
        people = filters.people(people)
        all_obligations = obligations_of(people)
        obligations = filters.apply(all_obligations)
        if filters.item or filters.status or filters.period:
            people = people.filter(pk__in=obligations.values("person_id"))
        people = annotate_progress(people, obligations)
        if sort == "progress":
            rate = ExpressionWrapper(F("done") * 1.0 / NullIf(F("owed"), 0), output_field=FloatField())
            people = people.annotate(rate=rate).order_by(F("rate").asc(nulls_last=True), "employee_number")
        elif sort == "overdue":
            people = people.order_by("-overdue_count", "employee_number")
        page = Paginator(people, self.per_page).get_page(params.get("page"))
        items = team_items(obligations)
        item_page = Paginator(items, self.items_per_page).get_page(params.get("ipage"))
        # The page's people are in scope already: their cells need no subtree subquery (a much better plan).
        page_obligations = filters.apply(Obligation.objects.current())
        cells = matrix_cells(list(page.object_list), list(item_page.object_list), page_obligations)
        rows = [
            (p, [cells.get((p.pk, item.ref)) for item in item_page.object_list]) for p in page.object_list
        ]
        chart_period = filters.period or current_period("quarter")
        months = completion_by_month(
            Filters(department=filters.department, item=filters.item).apply(all_obligations), last_months(12)
        )
        by_department = completion_by_department(
            Filters(item=filters.item).apply(all_obligations), chart_period
        )
        totals = {  # the items are a grouping of the same obligations: their sums are the totals
            "owed": sum(item.owed for item in items),
            "done": sum(item.done for item in items),
            "overdue": sum(item.overdue for item in items),
        }
        return {
            **super().get_context_data(**kwargs),
            "me": me,
            "own_team": own_team,
            "page_obj": page,
            "item_page": item_page,
            "items": item_page.object_list,
            "all_items": items,
            "rows": rows,
            "departments": departments,
            "filters": filters,
            "params": params,
            "sort": sort,
            "statuses": [(s, Status(s).label) for s in STATUS_ORDER],
            "status_labels": {s: str(Status(s).label) for s in STATUS_ORDER},
            "totals": totals,
            "month_chart": line_chart(months, title=_("Completion rate by month (due that month)")),
            "department_chart": bar_chart(
                by_department,
                title=_("Completion rate by department, %(period)s") % {"period": chart_period.label},
            ),
            "chart_period": chart_period,
            "period_kinds": KINDS,
        }


class TimelineView(TemplateView):
    """Everything a person was assigned, attempted, completed, acknowledged or reminded of, newest first."""

    template_name = "dashboards/timeline.html"

    def get_context_data(self, **kwargs):
        person = get_object_or_404(staff_list(), pk=self.kwargs["pk"])
        if not can_view_profile(self.request.user, person):
            raise PermissionDenied(_("This profile is outside your team."))
        events = person_timeline(person)
        page = Paginator(events, 100).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "person": person,
            "page_obj": page,
            "events": page.object_list,
        }


class AppraisalView(TemplateView):
    """The period summary on screen and the 培訓考核表 download (XLSX or CSV) for the same people."""

    template_name = "dashboards/appraisal.html"

    def get(self, request, *args, **kwargs):
        params = request.GET
        me, people, own_team = _team_or_403(request.user)
        try:
            period = period_from_params(params)
        except PeriodError as exc:
            raise BadRequest(str(exc)) from exc
        department = _int_param(params, "department")
        if department:
            people = people.filter(department_id=department)
        fmt = params.get("format", "")
        if fmt:
            if fmt not in ("xlsx", "csv"):
                raise BadRequest(_("format: choose xlsx or csv."))
            name = f"{export_title()}-{period.slug}"
            return spreadsheet_response(name, fmt, appraisal_sheets(people, period))
        context = self.get_context_data(**kwargs)
        context.update(
            me=me,
            own_team=own_team,
            period=period,
            period_kinds=KINDS,
            department=department,
            departments=Department.objects.filter(
                pk__in=team_scope(request.user, me)[0].values("department_id")
            ),
            summary=(summary := appraisal_sheets(people, period)[0]),
            summary_rows=[_on_screen(row, summary.number_formats) for row in summary.rows],
        )
        return self.render_to_response(context)


class UnderstandingView(TemplateView):
    """Where the team's understanding is weak: first-attempt correctness per procedure step, procedure or duty
    area, weakest first (supervisors: their subtree; training admins, HR, auditors: the whole bank)."""

    template_name = "dashboards/understanding.html"

    def get_context_data(self, **kwargs):
        _me, people, own_team = _team_or_403(self.request.user)
        by = self.request.GET.get("by", "step")
        if by not in UNDERSTANDING_GROUPS:
            raise BadRequest(_("by: choose step, procedure or area."))
        department = _int_param(self.request.GET, "department")
        if department:
            people = people.filter(department_id=department)
        rows = first_attempt_understanding(people, by=by)[:50]
        pages = Page.objects.filter(pk__in={r.page_id for r in rows if r.page_id}).specific()
        pages_by_id = {p.pk: p for p in pages}
        areas = dict(DUTY_AREAS)
        return {
            **super().get_context_data(**kwargs),
            "own_team": own_team,
            "by": by,
            "rows": [(r, pages_by_id.get(r.page_id), areas.get(r.duty_area, "")) for r in rows],
            "department": department,
        }


def _on_screen(row, formats) -> list:
    """A sheet row for the page: fractions formatted as percentages like the XLSX shows them."""
    return [
        f"{value * 100:.1f}%" if fmt == PERCENT and isinstance(value, float) else value
        for value, fmt in zip(row, [*formats, *[None] * len(row)], strict=False)
    ]
