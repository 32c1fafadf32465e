from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("people", views.PersonViewSet, basename="api-people")
router.register("assignments", views.AssignmentViewSet, basename="api-assignments")
router.register("completions", views.CompletionViewSet, basename="api-completions")
router.register("appraisal", views.AppraisalViewSet, basename="api-appraisal")
router.register("xapi/completions", views.XapiCompletionViewSet, basename="api-xapi-completions")
router.register("xapi/quiz-results", views.XapiQuizResultViewSet, basename="api-xapi-quiz-results")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
]
