"""Team and profile pages. A supervisor sees their own subtree and nobody else."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from assignments.forms import ManualAssignmentForm
from assignments.selectors import my_work
from assignments.services import MANUAL_NOT_IN_SUBTREE, can_assign_to, obligation_assign
from core.params import int_param
from kb.selectors import owed_status, pending_owed
from people.models import Department
from people.selectors import VIEW_ALL, can_view_profile, has_team, profile_for, staff_list, team_scope
from people.services import feed_token_for, feed_token_regenerate


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
