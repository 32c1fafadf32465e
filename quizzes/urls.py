from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/", views.quiz_list, name="quizzes"),
    path("quizzes/history/", views.history, name="quiz_history"),
    path("quizzes/<id:quiz_id>/", views.quiz_start, name="quiz_start"),
    path("quizzes/attempts/<id:attempt_id>/", views.attempt_page, name="quiz_attempt"),
    path("quizzes/attempts/<id:attempt_id>/answers/", views.attempt_answers, name="quiz_attempt_answers"),
    path("quizzes/attempts/<id:attempt_id>/result/", views.attempt_result, name="quiz_result"),
]
