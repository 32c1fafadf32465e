from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.my_training_view, name="my_training"),
    path("training/certificates/<str:code>.pdf", views.certificate_download, name="course_certificate"),
    path("training/verify/", views.verify, name="course_verify"),
]
