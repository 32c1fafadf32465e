"""Courses and lessons in the site search: found by Chinese words in their text, a 培訓 type facet, and view
restrictions respected."""

from __future__ import annotations

import pytest
from modelsearch.index import insert_or_update_object
from wagtail.models import PageViewRestriction

pytestmark = [pytest.mark.search, pytest.mark.django_db]


@pytest.fixture
def training(make_course, make_procedure):
    make_procedure("SOP-CS-003", title="客戶投訴處理程序", summary="受理及回覆客戶投訴的標準。")
    course, lessons = make_course(
        1,
        title="客戶投訴處理實務",
        summary="投訴分級及升級、確認通知時限。",
        lesson_body=[("text", "<p>升級個案須即日通知客戶服務經理。</p>")],
    )
    secret, _ = make_course(0, title="管理層投訴檢討課程", summary="只供管理層的投訴個案檢討。")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.GROUPS).groups.set(
        []
    )
    for page in (course, *lessons, secret):
        insert_or_update_object(type(page).objects.get(pk=page.pk))
    return course, lessons[0], secret


def test_courses_and_lessons_are_found_with_a_training_facet(training, learner, login):
    course, lesson, secret = training
    client = login(learner)
    page = client.get("/search/", {"q": "投訴"}).content.decode()
    assert course.url in page and "/sop-cs-003/" in page  # titles are highlighted: compare links
    assert "培訓" in page and "type=training" in page
    assert secret.url not in page  # restricted to a group the learner is not in
    only = client.get("/search/", {"q": "投訴", "type": "training"}).content.decode()
    assert course.url in only and "/sop-cs-003/" not in only
    found = client.get("/search/", {"q": "即日通知"}).content.decode()
    assert lesson.url in found
