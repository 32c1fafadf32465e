"""Wagtail admin: the dashboard panel of courses awaiting review after a regulation change (the owner's queue,
like kb's procedures due for review)."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from people.selectors import profile_for

from .models import CoursePage
from .selectors import open_review_flags


class CourseReviewPanel(Component):
    name = "courses_review"
    template_name = "courses/admin/review_panel.html"
    order = 95

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        context = super().get_context_data(parent_context)
        profile = profile_for(request.user)
        mine = CoursePage.objects.filter(content_owner=profile) if profile else CoursePage.objects.none()
        if request.user.has_perm("quizzes.view_results") or request.user.is_superuser:  # training admins
            mine = CoursePage.objects.all()
        context["flags"] = list(
            open_review_flags(mine.values_list("pk", flat=True)).select_related("course")[:20]
        )
        return context


@hooks.register("construct_homepage_panels")
def add_course_review_panel(request, panels):
    panels.append(CourseReviewPanel())
