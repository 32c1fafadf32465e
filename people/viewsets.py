"""Wagtail admin screens for people: staff, departments and positions, grouped under one menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Department, Position, StaffProfile


class StaffProfileViewSet(SnippetViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff")
    add_to_admin_menu = False
    list_display = [
        "display_name",
        Column("employee_number", label=_("Employee number")),
        "department",
        "position",
        "supervisor",
        DateColumn("hire_date", label=_("Hire date")),
        BooleanColumn("is_active", label=_("Active")),
    ]
    list_filter = ["department", "position", "is_active"]
    search_fields = ["display_name", "employee_number"]
    ordering = ["employee_number"]
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("user"),
                FieldRowPanel([FieldPanel("employee_number"), FieldPanel("display_name")]),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("department"), FieldPanel("position")]),
                FieldPanel("supervisor"),
                FieldRowPanel([FieldPanel("hire_date"), FieldPanel("is_active")]),
            ],
            heading=_("Place in the organisation"),
        ),
    ]

    def get_queryset(self, request):
        return StaffProfile.objects.select_related("department", "position", "supervisor", "user")


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    list_display = ["name", Column("code", label=_("Code")), BooleanColumn("is_active", label=_("Active"))]
    search_fields = ["name", "code"]
    copy_view_enabled = False


class PositionViewSet(SnippetViewSet):
    model = Position
    icon = "tag"
    menu_label = _("Positions")
    list_display = [
        "name",
        Column("code", label=_("Code")),
        BooleanColumn("is_supervisory", label=_("Supervisory")),
    ]
    search_fields = ["name", "code"]
    copy_view_enabled = False


class PeopleViewSetGroup(SnippetViewSetGroup):
    items = (StaffProfileViewSet, DepartmentViewSet, PositionViewSet)
    menu_icon = "group"
    menu_label = _("People")
    menu_name = "people"
    menu_order = 250
