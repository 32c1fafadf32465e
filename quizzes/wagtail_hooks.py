"""Wagtail admin hooks for quizzes: the bank's menu, the import screen, results, and question versions."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from .admin_views import QuestionImportView, QuizResultsView, can_import, category_export, import_template
from .models import Question
from .services import question_versions_current
from .viewsets import QuizzesViewSetGroup

register_snippet(QuizzesViewSetGroup)


@hooks.register("register_admin_urls")
def register_quiz_admin_urls():
    return [
        path("quizzes/import/", QuestionImportView.as_view(), name="quizzes_import"),
        path("quizzes/import/template.xlsx", import_template, name="quizzes_import_template"),
        path("quizzes/categories/<id:pk>/export.<str:fmt>", category_export, name="quizzes_category_export"),
        path("quizzes/<id:pk>/results/", QuizResultsView.as_view(), name="quizzes_results"),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return can_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Import questions"),
        reverse("quizzes_import"),
        name="import-questions",
        icon_name="upload",
        order=910,
    )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def snapshot_question(request, instance):
    """A saved question gets a new version at once (its options are saved by now)."""
    if isinstance(instance, Question):
        fresh = Question.objects.select_related("category").prefetch_related("options").filter(pk=instance.pk)
        question_versions_current(fresh, user=request.user)
