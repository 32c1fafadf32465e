"""Read-only Wagtail admin for the ledger: list, filter, search, inspect and export; never add/edit/delete."""

from __future__ import annotations

import datetime

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from core.spreadsheets import ListExportMixin, local_time_label

from .models import Record

READ_ACTIONS = frozenset({"view"})
LOCAL_TIME_FIELDS = frozenset({"occurred_at", "recorded_at"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Model permissions for "view" only: nobody, superusers included, may add, change or delete."""

    def user_has_permission(self, user, action: str) -> bool:
        return action in READ_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions) -> QuerySet:
        allowed = [action for action in actions if action in READ_ACTIONS]
        if not allowed:
            return self.auth_model._default_manager.none()
        return super().users_with_any_permission(allowed)


class RecordFilterSet(WagtailFilterSet):
    occurred_at = django_filters.DateFromToRangeFilter(label=_("Occurred"), widget=DateRangePickerWidget)

    class Meta:
        model = Record
        fields = ["kind", "outcome", "occurred_at"]


class RecordIndexView(ListExportMixin, generic.IndexView):
    """The list; its CSV/XLSX export goes through core.spreadsheets (BOM, no formulas, local times)."""

    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().with_corrects_seq()

    def get_heading(self, queryset, field: str) -> str:
        heading = super().get_heading(queryset, field)
        if field in LOCAL_TIME_FIELDS:  # times are written in the site's zone: say which
            return f"{heading} ({local_time_label()})"
        return heading


def local_time_display(value: datetime.datetime | None) -> str:
    """E.g. "2026-11-03 17:56:04 (Asia/Hong_Kong)": the site's zone, named (records store UTC)."""
    if value is None:
        return ""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S} ({local_time_label()})"


class RecordInspectView(generic.InspectView):
    """One record: local times with their zone, choice labels, and blank (not "None") for empty fields."""

    def get_field_display_value(self, field_name: str, field):
        if field_name in LOCAL_TIME_FIELDS:
            return local_time_display(getattr(self.object, field_name))
        value = super().get_field_display_value(field_name, field)
        return "" if value is None else value


class RecordViewSet(ModelViewSet):
    """Evidence records for auditors and compliance: needs ``ledger.view_record``."""

    model = Record
    index_view_class = RecordIndexView
    inspect_view_class = RecordInspectView
    name = "ledger_records"
    url_prefix = "ledger/records"
    icon = "list-ul"
    menu_label = _("Evidence records")
    menu_order = 850
    add_to_admin_menu = True
    add_to_reference_index = False

    list_display = ["seq", "occurred_at", "kind", "actor_label", "title", "outcome", "score"]
    filterset_class = RecordFilterSet
    search_fields = ["title", "actor_username", "actor_name", "actor_employee_number"]
    ordering = ["-seq"]
    list_per_page = 50
    list_export = [
        "seq",
        "occurred_at",
        "recorded_at",
        "kind",
        "actor_user_id",
        "actor_username",
        "actor_name",
        "actor_employee_number",
        "subject_type",
        "page_id",
        "revision_id",
        "title",
        "outcome",
        "score",
        "corrects_seq",
        "prev_hash",
        "hash",
    ]
    export_headings = {"corrects_seq": _("Corrects record no.")}  # a property: no verbose name to borrow
    export_filename = "evidence-records"

    inspect_view_enabled = True
    inspect_view_fields = [
        "seq",
        "kind",
        "actor_username",
        "actor_name",
        "actor_employee_number",
        "actor_user_id",
        "subject_type",
        "page_id",
        "revision_id",
        "title",
        "outcome",
        "score",
        "data",
        "occurred_at",
        "recorded_at",
        "corrects",
        "prev_hash",
        "hash",
    ]
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        # No URL names for the write views, so no view renders a link or button to them.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self) -> list:
        """Only listing and inspecting: the add, edit, delete, copy, history and usage URLs do not exist."""
        converter = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{converter}:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self) -> type[ModelAdminURLFinder]:
        """Links to a record from elsewhere in the admin open its inspect page."""
        inspect_url_name = self.get_url_name("inspect")

        class RecordAdminURLFinder(ModelAdminURLFinder):
            def construct_edit_url(self, instance: Record) -> str:
                return reverse(inspect_url_name, args=(quote(instance.pk),))

            def get_edit_url(self, instance: Record) -> str | None:
                if self.user and not record_viewset.permission_policy.user_has_permission(self.user, "view"):
                    return None
                return self.construct_edit_url(instance)

        return RecordAdminURLFinder


record_viewset = RecordViewSet()
