"""The HR API: read-only, token-authenticated, scoped like the team page (a supervisor: their subtree; HR,
training admins, auditors: everyone), paginated. The OpenAPI schema is at /api/schema/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated

from assignments.models import Obligation, Status
from core.params import parse_int
from dashboards.periods import KINDS, PeriodError, period_from_params
from dashboards.selectors import Appraisal, appraisal_by_person
from people.models import StaffProfile
from people.selectors import has_team, profile_for, team_scope
from quizzes.models import Attempt, AttemptState

from . import xapi
from .serializers import (
    AppraisalSerializer,
    AssignmentSerializer,
    CompletionSerializer,
    PersonSerializer,
    XapiStatementSerializer,
)

MAX_ID = 2**31 - 1


class HasTeam(BasePermission):
    message = _("Only supervisors and org-wide roles (HR, training admins, auditors) can use the HR API.")

    def has_permission(self, request, view) -> bool:
        return has_team(request.user)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def people_in_scope(user):
    """Everyone the user may see, leavers included (their records are still evidence)."""
    return team_scope(user, profile_for(user), include_inactive=True)[0]


class AssignmentFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    target_key = serializers.CharField(max_length=40, required=False)
    due_from = serializers.DateField(required=False)
    due_to = serializers.DateField(required=False)


ASSIGNMENT_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
    OpenApiParameter("person", OpenApiTypes.INT, description="a person's id"),
    OpenApiParameter("target_key", OpenApiTypes.STR, description='e.g. "courses.course", "kb.procedure"'),
    OpenApiParameter("due_from", OpenApiTypes.DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE),
]
PERIOD_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(KINDS), description="default: quarter"),
    OpenApiParameter("value", OpenApiTypes.STR, description="2026-07, 2026-Q3, 2026-H2, 2026"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="custom periods"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="custom periods"),
]


@method_decorator(login_not_required, name="dispatch")
class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasTeam]
    pagination_class = Pages

    def get_object(self):
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if parse_int(str(raw), maximum=MAX_ID) is None:
            raise Http404
        return super().get_object()

    def scope(self):
        return people_in_scope(self.request.user)


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Staff in your scope."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        return self.scope().select_related(None).select_related("department", "position").order_by("pk")


@extend_schema_view(list=extend_schema(parameters=ASSIGNMENT_PARAMETERS))
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Obligations (who must do what by when, and where it stands) of people in your scope."""

    serializer_class = AssignmentSerializer

    def base(self):
        return Obligation.objects.filter(person__in=self.scope().order_by().values("pk"))

    def get_queryset(self):
        qs = self.base().select_related("person", "target_type").order_by("pk")
        if self.action != "list":
            return qs
        filters = AssignmentFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "status" in data:
            qs = qs.filter(status=data["status"])
        if "person" in data:
            qs = qs.filter(person_id=data["person"])
        if "target_key" in data:
            qs = qs.filter(target_key=data["target_key"])
        if "due_from" in data:
            qs = qs.filter(due_date__gte=data["due_from"])
        if "due_to" in data:
            qs = qs.filter(due_date__lte=data["due_to"])
        return qs


@extend_schema_view(list=extend_schema(parameters=ASSIGNMENT_PARAMETERS))
class CompletionViewSet(AssignmentViewSet):
    """Completed obligations, with the sequence number of the ledger record that proves each one."""

    serializer_class = CompletionSerializer

    def base(self):
        return super().base().filter(completed_at__isnull=False).select_related("record")


def _period(request):
    try:
        return period_from_params(request.query_params)
    except PeriodError as exc:
        raise serializers.ValidationError({"period": [str(exc)]}) from exc


@extend_schema_view(list=extend_schema(parameters=PERIOD_PARAMETERS))
class AppraisalViewSet(mixins.ListModelMixin, ApiViewSet):
    """Each person's appraisal figures for a period (docs/appraisal.md), one page of people at a time."""

    serializer_class = AppraisalSerializer

    def get_queryset(self):
        return self.scope().select_related(None).select_related("department").order_by("pk")

    def list(self, request, *args, **kwargs):
        period = _period(request)
        page = self.paginate_queryset(self.get_queryset())
        figures = appraisal_by_person(StaffProfile.objects.filter(pk__in=[p.pk for p in page]), period)
        rows = []
        for person in page:
            a = figures.get(person.pk) or Appraisal()
            rows.append(
                {
                    "person_id": person.pk,
                    "employee_number": person.employee_number,
                    "name": person.display_name,
                    "department": person.department.name,
                    "period": period.label,
                    "period_start": period.start,
                    "period_end": period.end,
                    "assigned": a.assigned,
                    "completed": a.completed,
                    "completed_on_time": a.on_time,
                    "completed_late": a.late,
                    "overdue": a.overdue,
                    "completion_rate": a.completion_rate,
                    "on_time_rate": a.on_time_rate,
                    "average_score": a.average_score,
                    "best_score": float(a.best_score) if a.best_score is not None else None,
                    "quiz_attempts": a.attempts,
                    "acknowledgements_due": a.acks_due,
                    "acknowledgements_done": a.acks_done,
                    "training_hours": a.training_hours,
                }
            )
        return self.get_paginated_response(AppraisalSerializer(rows, many=True).data)


class XapiCompletionViewSet(mixins.ListModelMixin, ApiViewSet):
    """xAPI statements: "<person> completed <course or document>" for every completion in your scope."""

    serializer_class = XapiStatementSerializer

    def get_queryset(self):
        return (
            Obligation.objects.filter(
                person__in=self.scope().order_by().values("pk"), completed_at__isnull=False
            )
            .select_related("person")
            .order_by("pk")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        statements = [xapi.completion_statement(ob) for ob in page]
        return self.get_paginated_response(XapiStatementSerializer(statements, many=True).data)


class XapiQuizResultViewSet(mixins.ListModelMixin, ApiViewSet):
    """xAPI statements: "<person> passed/failed <quiz>" with the score, per graded attempt in your scope."""

    serializer_class = XapiStatementSerializer

    def get_queryset(self):
        return (
            Attempt.objects.filter(
                user__in=self.scope().order_by().values("user_id"), state=AttemptState.GRADED
            )
            .select_related("quiz")
            .order_by("pk")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        people = dict(
            StaffProfile.objects.filter(user_id__in={a.user_id for a in page}).values_list(
                "user_id", "display_name"
            )
        )
        numbers = dict(
            StaffProfile.objects.filter(user_id__in={a.user_id for a in page}).values_list(
                "user_id", "employee_number"
            )
        )
        statements = [
            xapi.attempt_statement(a, people.get(a.user_id, ""), numbers.get(a.user_id, "")) for a in page
        ]
        return self.get_paginated_response(XapiStatementSerializer(statements, many=True).data)
