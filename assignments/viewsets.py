"""Wagtail admin: training admins write assignment rules and read the obligation table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .forms import AssignmentRuleForm
from .models import AssignmentRule, Obligation


class AssignmentRuleViewSet(SnippetViewSet):
    model = AssignmentRule
    icon = "calendar-alt"
    menu_label = _("Assignment rules")
    list_display = [
        "name",
        Column("due_kind", label=_("Due"), accessor="get_due_kind_display"),
        Column("due_days", label=_("Days")),
        Column("recurrence_months", label=_("Repeat (months)")),
        BooleanColumn("mandatory", label=_("Mandatory")),
        BooleanColumn("is_active", label=_("Active")),
    ]
    list_filter = ["is_active", "mandatory", "due_kind"]
    search_fields = ["name"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("target_choice"),
            MultiFieldPanel(
                [
                    FieldPanel("audience_all"),
                    FieldPanel("audience_departments"),
                    FieldPanel("audience_positions"),
                    FieldPanel("audience_groups"),
                    FieldPanel("audience_hired_on_or_after"),
                    FieldPanel("audience_people"),
                ],
                heading=_("Who"),
                help_text=_(
                    "Tick 'all staff', or choose criteria a person must meet all of; named people are always "
                    "included."
                ),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("due_kind"), FieldPanel("due_days"), FieldPanel("due_date")]),
                    FieldPanel("recurrence_months"),
                    FieldPanel("mandatory"),
                ],
                heading=_("By when"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("active_from"), FieldPanel("active_until")]),
                    FieldPanel("is_active"),
                ],
                heading=_("Active"),
            ),
        ],
        base_form_class=AssignmentRuleForm,
    )


class ObligationViewSet(SnippetViewSet):
    """Read-only: obligations are written by rules, content and supervisors, never edited by hand."""

    model = Obligation
    icon = "list-ul"
    menu_label = _("Obligations")
    list_display = [
        Column("person", label=_("Person")),
        "title",
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("due_date", label=_("Due date")),
        Column("source", label=_("Source"), accessor="get_source_display"),
    ]
    list_filter = ["status", "source", "target_key"]
    search_fields = ["title"]
    ordering = ["due_date"]
    inspect_view_enabled = True
    copy_view_enabled = False
    list_export = [
        "person",
        "title",
        "target_key",
        "status",
        "due_date",
        "assigned_at",
        "completed_at",
        "source",
    ]

    def get_queryset(self, request):
        return Obligation.objects.select_related("person")


class AssignmentsViewSetGroup(SnippetViewSetGroup):
    items = (AssignmentRuleViewSet, ObligationViewSet)
    menu_icon = "calendar-alt"
    menu_label = _("Assignments")
    menu_name = "assignments"
