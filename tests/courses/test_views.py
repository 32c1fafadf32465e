"""The learner's views: 我的培訓, a course with its lessons, a lesson with previous/next and mark as done."""

from __future__ import annotations

import pytest

from courses.models import CourseCompletion, LessonView

pytestmark = pytest.mark.django_db


def test_my_training_groups_courses_with_progress_and_is_in_chinese(make_course, make_path, learner, login):
    first, _first_lessons = make_course(2, title="服務標準")
    second, _ = make_course(1, title="產品及賬戶")
    make_path(first, second, due_days=30)
    _other, other_lessons = make_course(3, title="客戶投訴處理實務", estimated_minutes=55)
    client = login(learner)
    client.get(other_lessons[0].url)
    page = client.get("/me/training/").content.decode()
    assert "我的培訓" in page and "進行中" in page and "需重新認證" in page
    assert "新員工入職培訓" in page and "未解鎖" in page  # the path's second course
    assert "約 55 分鐘" in page and "1 / 3 課節" in page
    assert 'aria-valuenow="33"' in page
    assert "2024-03-31" in page  # due: hire date + 30 days


def test_my_training_query_count_does_not_grow_with_courses(
    make_course, learner, login, django_assert_max_num_queries
):
    for n in range(6):
        _course, _lessons = make_course(1, title=f"課程 {n}")
    client = login(learner)
    with django_assert_max_num_queries(25):
        assert client.get("/me/training/").status_code == 200


def test_lesson_navigation_and_mark_as_done(make_course, learner, login):
    course, lessons = make_course(3)
    client = login(learner)
    page = client.get(lessons[1].url).content.decode()
    assert f'rel="prev" href="{lessons[0].url}"' in page and "第 2 課（共 3 課）" in page
    assert f'action="{lessons[1].url}done/"' in page
    assert LessonView.objects.filter(user=learner).count() == 1
    response = client.post(lessons[1].url + "done/")
    assert response.status_code == 302 and response.url == lessons[2].url
    client.get(lessons[0].url)
    response = client.post(lessons[2].url + "done/")
    assert response.status_code == 302 and response.url == course.url
    assert CourseCompletion.objects.filter(user=learner).count() == 1
    page = client.get(course.url).content.decode()
    assert "已完成" in page and "證書（PDF）" in page
    assert client.get(lessons[2].url + "done/").status_code == 405


def test_course_page_links_the_quiz_for_this_course(make_course, course_quiz, learner, login):
    course, lessons = make_course(1, quiz=course_quiz)
    client = login(learner)
    client.get(lessons[0].url)
    page = client.get(course.url).content.decode()
    assert f"/quizzes/{course_quiz.pk}/?for_page={course.pk}" in page


def test_recertify_is_refused_while_valid(make_course, learner, login):
    course, lessons = make_course(1, validity_months=12)
    client = login(learner)
    client.get(lessons[0].url)
    response = client.post(course.url + "recertify/", follow=True)
    assert "尚未需要重新認證" in response.content.decode()


def test_catalogue_and_path_pages(make_course, make_path, courses_index, learner, login):
    first, lessons = make_course(1, title="服務標準")
    second, _ = make_course(1, title="產品及賬戶")
    path = make_path(first, second)
    client = login(learner)
    client.get(lessons[0].url)  # completes 服務標準
    catalogue = client.get(courses_index.url).content.decode()
    assert "新員工入職培訓" in catalogue and "服務標準" in catalogue and "已完成" in catalogue
    page = client.get(path.url).content.decode()
    assert page.index("服務標準") < page.index("產品及賬戶") and "未解鎖" not in page


def test_editors_open_the_course_and_lesson_editors(make_course, superuser, login):
    course, lessons = make_course(1)
    client = login(superuser)
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{lessons[0].pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/").status_code == 200
    assert client.get("/admin/").status_code == 200  # the dashboard with the review panel
