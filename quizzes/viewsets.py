"""Wagtail admin screens for the quiz bank: categories, questions and quizzes under one menu."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Question, QuestionCategory, Quiz


class LinksColumn(Column):
    """A cell of links (label, url name) for each row, e.g. exports or a report."""

    cell_template_name = "quizzes/admin/links_cell.html"

    def __init__(self, name, links, **kwargs):
        super().__init__(name, **kwargs)
        self.links = links

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["links"] = [
            (label, reverse(url_name, args=[instance.pk, *extra])) for label, url_name, *extra in self.links
        ]
        return context


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = [
        Column("path", label=_("Category")),
        Column("num_questions", label=_("Questions")),
        LinksColumn(
            "export",
            [(_("GIFT"), "quizzes_category_export", "gift"), (_("XLSX"), "quizzes_category_export", "xlsx")],
            label=_("Export"),
        ),
    ]
    search_fields = ["path"]
    ordering = ["path"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return QuestionCategory.objects.annotate(num_questions=Count("questions")).order_by("path")


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    list_display = [
        "name",
        Column("qtype", label=_("Type"), accessor="get_qtype_display"),
        Column("category", label=_("Category")),
        Column("duty_area", label=_("Duty area")),
        BooleanColumn("is_active", label=_("Active")),
        DateColumn("updated_at", label=_("Updated")),
    ]
    list_filter = ["qtype", "category", "duty_area", "is_active"]
    search_fields = ["name"]
    ordering = ["category__path", "name"]
    inspect_view_enabled = True
    list_per_page = 50

    def get_queryset(self, request):
        return Question.objects.select_related("category")


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = [
        "title",
        Column("pass_mark", label=_("Pass mark %")),
        Column("max_attempts", label=_("Attempts")),
        Column("time_limit_minutes", label=_("Minutes")),
        BooleanColumn("is_active", label=_("Open")),
        Column("version", label=_("Version")),
        LinksColumn("results", [(_("Attempts and statistics"), "quizzes_results")], label=_("Results")),
    ]
    list_filter = ["is_active", "grading_method"]
    search_fields = ["title"]
    inspect_view_enabled = True
    copy_view_enabled = True


class QuizzesViewSetGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    menu_order = 260
