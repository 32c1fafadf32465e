from django.urls import path

from . import views

urlpatterns = [
    path("team/progress/", views.TeamDashboardView.as_view(), name="team_dashboard"),
    path("team/appraisal/", views.AppraisalView.as_view(), name="appraisal"),
    path("people/<id:pk>/timeline/", views.TimelineView.as_view(), name="timeline"),
    path("team/understanding/", views.UnderstandingView.as_view(), name="understanding"),
]
