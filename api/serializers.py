"""What the HR API returns. Read-only: every field is output only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assignments.models import Obligation
from people.models import StaffProfile


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    position = serializers.CharField(source="position.name")
    supervisor_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = StaffProfile
        fields = [
            "id",
            "employee_number",
            "name",
            "department",
            "department_code",
            "position",
            "supervisor_id",
            "hire_date",
            "is_active",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField()
    employee_number = serializers.CharField(source="person.employee_number")
    target_type = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "person_id",
            "employee_number",
            "target_key",
            "target_type",
            "target_id",
            "title",
            "cycle",
            "source",
            "mandatory",
            "status",
            "due_date",
            "assigned_at",
            "started_at",
            "completed_at",
            "score",
            "valid_until",
            "withdrawn_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_target_type(self, obligation: Obligation) -> str:
        """The target's model as "app_label.model", e.g. "courses.coursepage"."""
        return f"{obligation.target_type.app_label}.{obligation.target_type.model}"


class CompletionSerializer(AssignmentSerializer):
    record_seq = serializers.IntegerField(source="record.seq", allow_null=True, default=None)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "record_seq"]


class AppraisalSerializer(serializers.Serializer):
    """One person's figures for the period (docs/appraisal.md)."""

    person_id = serializers.IntegerField()
    employee_number = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    assigned = serializers.IntegerField()
    completed = serializers.IntegerField()
    completed_on_time = serializers.IntegerField()
    completed_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    average_score = serializers.FloatField(allow_null=True)
    best_score = serializers.FloatField(allow_null=True)
    quiz_attempts = serializers.IntegerField()
    acknowledgements_due = serializers.IntegerField()
    acknowledgements_done = serializers.IntegerField()
    training_hours = serializers.FloatField()


class XapiActorSerializer(serializers.Serializer):
    objectType = serializers.CharField()  # xAPI's own field name
    name = serializers.CharField()
    account = serializers.DictField(child=serializers.CharField())


class XapiStatementSerializer(serializers.Serializer):
    """An xAPI 1.0.3 statement (actor, verb, object, result, timestamp), ready for a learning record store."""

    id = serializers.UUIDField()
    actor = XapiActorSerializer()
    verb = serializers.DictField()
    object = serializers.DictField()
    result = serializers.DictField()
    timestamp = serializers.DateTimeField()
    stored = serializers.DateTimeField()
    version = serializers.CharField()
