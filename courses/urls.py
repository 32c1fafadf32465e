from django.urls import path

from . import views

urlpatterns = [
    path("me/training/", views.my_training_view, name="my_training"),
    path("certificates/<str:code>.pdf", views.certificate_download, name="course_certificate"),
    path("certificates/verify/", views.verify, name="course_verify"),
]
