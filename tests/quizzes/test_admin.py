"""Trainer screens: every role gets what its page in docs/roles says, nothing more."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quizzes.models import Question, Quiz
from quizzes.services import attempt_start, attempt_submit
from tests.quizzes.test_importing import GIFT

pytestmark = pytest.mark.django_db

ROLES = {
    "trainer": ["Staff", "Training admin"],
    "auditor": ["Auditor"],
    "editor": ["Content editor"],
    "supervisor": ["Staff", "Supervisor"],
    "staff": ["Staff"],
}


@pytest.fixture
def people(make_staff):
    return {name: make_staff(name, groups=groups).user for name, groups in ROLES.items()}


@pytest.fixture
def results_quiz(make_quiz, questions, learner):
    quiz = make_quiz(*questions.values(), max_attempts=0)
    for answer in ["o1", "o2", "o1"]:
        attempt, _ = attempt_start(quiz=quiz, user=learner)
        attempt_submit(attempt=attempt, user=learner, answers={1: answer}, seq=1)
    return quiz


def test_trainer_imports_with_a_preview_then_confirms(people, client):
    client.force_login(people["trainer"])
    url = reverse("quizzes_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(GIFT.encode())
    upload.name = "aml.gift"
    preview = client.post(url, {"file": upload, "category": "合規培訓"})
    assert preview.status_code == 200 and Question.objects.count() == 0
    token = preview.context["token"]
    done = client.post(url, {"token": token})
    assert done.status_code == 302 and Question.objects.count() == 6
    assert Question.objects.filter(category__path="合規培訓/反洗錢/可疑交易").count() == 6
    assert client.post(url, {"token": token}).status_code == 302  # a replayed token imports nothing
    assert Question.objects.count() == 6


def test_import_errors_are_listed_by_line(people, client):
    client.force_login(people["trainer"])
    upload = io.BytesIO("題一 {~甲 ~乙}\n\n題二 {~%500%甲}\n".encode())
    upload.name = "bad.gift"
    response = client.post(reverse("quizzes_import"), {"file": upload})
    text = response.content.decode()
    assert response.status_code == 200 and "<td>1</td>" in text and "<td>3</td>" in text
    assert Question.objects.count() == 0


def test_template_download_is_a_workbook_whose_examples_import(people, client):
    from quizzes.importing import parse_file

    client.force_login(people["trainer"])
    response = client.get(reverse("quizzes_import_template"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("類別", "題型", "名稱", "題目") and len(rows) == 6
    parsed = parse_file(content, "template.xlsx")  # the examples are valid: one per type
    assert [q.qtype for q in parsed] == ["single", "multiple", "true_false", "short", "matching"]


@pytest.mark.parametrize("who", ["auditor", "editor", "supervisor", "staff"])
def test_only_training_admins_import(people, client, who):
    client.force_login(people[who])
    upload = io.BytesIO(GIFT.encode())
    upload.name = "aml.gift"
    assert client.get(reverse("quizzes_import")).status_code in (302, 403)
    client.post(reverse("quizzes_import"), {"file": upload})
    assert client.get(reverse("quizzes_import_template")).status_code in (302, 403)
    assert Question.objects.count() == 0


def test_results_and_statistics(people, client, results_quiz):
    client.force_login(people["trainer"])
    response = client.get(reverse("quizzes_results", args=[results_quiz.pk]))
    assert response.status_code == 200
    stats = {s.name: s for s in response.context["stats"]}
    single = next(s for s in stats.values() if s.qtype == "single")
    assert single.seen == 3 and str(single.facility) == "66.7"
    assert [(label, count) for label, count, _ok in single.choices] == [
        ("即時", 2),
        ("一個月內", 1),
        ("不需", 0),
    ]
    xlsx = client.get(reverse("quizzes_results", args=[results_quiz.pk]) + "?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["作答", "題目"] and book["作答"].max_row == 4


@pytest.mark.parametrize(
    ("who", "status"), [("auditor", 200), ("editor", 302), ("supervisor", 302), ("staff", 302)]
)
def test_results_need_the_results_permission(people, client, results_quiz, who, status):
    client.force_login(people[who])
    assert client.get(reverse("quizzes_results", args=[results_quiz.pk])).status_code == status


def test_auditor_reads_the_bank_but_cannot_change_it(people, client, questions, make_quiz):
    quiz = make_quiz(questions["single"])
    client.force_login(people["auditor"])
    assert client.get("/admin/snippets/quizzes/question/").status_code == 200
    assert (
        client.get(f"/admin/snippets/quizzes/question/inspect/{questions['single'].pk}/").status_code == 200
    )
    assert client.get(f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/").status_code in (302, 403)
    client.post(f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/", {"title": "改了"})
    client.post(f"/admin/snippets/quizzes/question/delete/{questions['single'].pk}/")
    assert (
        Quiz.objects.get().title == "反洗錢測驗"
        and Question.objects.filter(pk=questions["single"].pk).exists()
    )
    export = client.get(reverse("quizzes_category_export", args=[questions["single"].category_id, "gift"]))
    assert export.status_code == 200 and "可疑交易報告應於何時提交" in export.content.decode()


def test_editors_see_quizzes_but_not_questions(people, client, questions, make_quiz):
    make_quiz(questions["single"])
    client.force_login(people["editor"])
    assert client.get("/admin/snippets/quizzes/quiz/").status_code == 200
    assert client.get("/admin/snippets/quizzes/question/").status_code in (302, 403)


def test_saving_a_question_in_the_admin_snapshots_a_version(people, rf, questions):
    from quizzes.models import QuestionVersion
    from quizzes.wagtail_hooks import snapshot_question

    question = questions["single"]
    request = rf.post("/")
    request.user = people["trainer"]
    snapshot_question(request, question)
    snapshot_question(request, question)  # unchanged: no new version
    question.text = "<p>改寫後的題目</p>"
    question.save()
    snapshot_question(request, question)
    versions = list(QuestionVersion.objects.filter(question=question).order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[1].created_by == people["trainer"]
    assert versions[0].data["text"] != versions[1].data["text"]


def test_trainer_opens_the_add_and_edit_forms(people, client, questions, make_quiz):
    quiz = make_quiz(questions["single"])
    client.force_login(people["trainer"])
    for url in [
        "/admin/snippets/quizzes/question/add/",
        f"/admin/snippets/quizzes/question/edit/{questions['matching'].pk}/",
        "/admin/snippets/quizzes/quiz/add/",
        f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/",
        "/admin/snippets/quizzes/questioncategory/",
        reverse("quizzes_category_export", args=[questions["single"].category_id, "xlsx"]),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["staff", "supervisor"])
def test_staff_and_supervisors_cannot_reach_the_bank(people, client, questions, who):
    client.force_login(people[who])
    category = questions["single"].category_id
    for url in [
        reverse("quizzes_category_export", args=[category, "gift"]),
        "/admin/snippets/quizzes/question/",
        "/admin/snippets/quizzes/quiz/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "可疑交易報告應於何時提交" not in response.content.decode()
