"""A procedure with a comprehension check: acknowledged only by passing it; one pass records the attempt and
the acknowledgement in one transaction (two ledger records)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb.models import Acknowledgement
from kb.services import ACK_CHECK_REQUIRED, AcknowledgementError, acknowledge
from ledger.models import Record
from ledger.verification import ledger_verify
from quizzes.models import Attempt, QuestionCategory, Quiz, QuizItem
from tests.kb.fixtures import publish_change
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(make_procedure):
    quiz = make_check()
    return make_procedure(comprehension_quiz=quiz), quiz


def make_check(title: str = "理解測驗：SOP-CS-003") -> Quiz:
    category, _ = QuestionCategory.objects.get_or_create(name="理解測驗")
    quiz = Quiz(
        title=title,
        pass_mark=100,
        max_attempts=0,
        shuffle_options=False,
        shuffle_questions=False,
    )
    for n in range(3):
        question = make_question(category, "single", text=f"第 {n + 1} 題", options=[("對", 100), ("錯", 0)])
        quiz.items.add(QuizItem(question=question, sort_order=n))
    quiz.save()
    return quiz


def take(client, procedure, quiz, *, right: bool):
    started = client.post(
        reverse("quiz_start", args=[quiz.pk]), {"for_page": procedure.pk, "next": procedure.url}
    )
    attempt = Attempt.objects.order_by("-pk").first()
    assert started.url == reverse("quiz_attempt", args=[attempt.pk])
    answers = {f"q{n}": "1" if right else "2" for n in (1, 2, 3)}
    client.post(started.url, {"seq": 1, "shown": "1,2,3", "action": "submit", **answers})
    attempt.refresh_from_db()
    return attempt


def test_banner_asks_for_the_check_and_the_button_is_refused(checked, make_staff, client):
    procedure, _quiz = checked
    person = make_staff("reader")
    client.force_login(person.user)
    page = client.get(procedure.url).content.decode()
    assert "完成 3 題理解測驗後確認" in page
    assert 'data-ack="check"' in page and 'data-ack="pending"' not in page
    client.post(procedure.url + "acknowledge/", {"version": 1})
    assert not Acknowledgement.objects.exists()
    assert "請先通過理解測驗" in client.get(procedure.url).content.decode()


def test_a_pass_records_the_attempt_and_the_acknowledgement_together(checked, make_staff, client):
    procedure, quiz = checked
    person = make_staff("reader")
    client.force_login(person.user)
    failed = take(client, procedure, quiz, right=False)
    assert failed.passed is False and not Acknowledgement.objects.exists()
    passed = take(client, procedure, quiz, right=True)
    assert passed.passed is True and passed.for_page_id == procedure.pk
    ack = Acknowledgement.objects.get(user=person.user, page_id=procedure.pk)
    assert ack.version_number == 1
    assert [r.kind for r in Record.objects.order_by("seq")] == [
        "quiz_attempt",
        "quiz_attempt",
        "acknowledgement",
    ]
    assert ack.record.seq == passed.record.seq + 1 and ack.acknowledged_at == passed.submitted_at
    assert ledger_verify().ok
    result = client.get(reverse("quiz_result", args=[passed.pk])).content.decode()
    assert f'href="{procedure.url}"' in result  # "Continue" goes back to the procedure
    page = client.get(procedure.url).content.decode()
    assert 'data-ack="done"' in page


def test_a_pass_of_another_quiz_or_for_another_page_acknowledges_nothing(
    checked, make_staff, make_procedure, client
):
    _procedure, quiz = checked
    other = make_procedure("SOP-CS-099", title="另一程序")
    person = make_staff("reader")
    client.force_login(person.user)
    take(client, other, quiz, right=True)
    assert not Acknowledgement.objects.exists()


def test_editors_choose_the_check_with_the_snippet_chooser(checked, make_staff, client):
    procedure, _quiz = checked
    client.force_login(make_staff("ed", groups=["Content editor"]).user)
    page = client.get(f"/admin/pages/{procedure.pk}/edit/").content.decode()
    assert 'name="comprehension_quiz"' in page and "/admin/snippets/choose/quizzes/quiz/" in page


def test_the_button_acknowledges_only_after_ones_own_pass_since_the_version(
    checked, make_staff, make_procedure, client
):
    """``acknowledge`` (the button) asks for a graded pass of this page's check, by this person, taken for
    this page, since the version in force was published. Every other attempt is refused and writes nothing."""
    procedure, quiz = checked
    person, colleague = make_staff("reader"), make_staff("colleague")

    def refused(version_number: int) -> None:
        with pytest.raises(AcknowledgementError) as excinfo:
            acknowledge(user=person.user, page=procedure, version_number=version_number)
        assert str(excinfo.value) == str(ACK_CHECK_REQUIRED)
        assert not Acknowledgement.objects.filter(user=person.user, version_number=version_number).exists()

    client.force_login(person.user)
    assert take(client, procedure, quiz, right=False).passed is False
    refused(1)  # a failed attempt
    client.force_login(colleague.user)
    assert take(client, procedure, quiz, right=True).passed is True
    refused(1)  # a colleague's pass
    client.force_login(person.user)
    other = make_procedure("SOP-CS-099", title="另一程序")
    assert take(client, other, quiz, right=True).for_page_id == other.pk
    refused(1)  # a pass taken for another page
    other_quiz = make_check("另一測驗")
    assert take(client, procedure, other_quiz, right=True).passed is True
    refused(1)  # a pass of another quiz, taken for this page
    take(client, procedure, quiz, right=True)  # acknowledges version 1 (the signal)
    assert acknowledge(user=person.user, page=procedure, version_number=1)[1] is False
    procedure = publish_change(procedure, change_summary="新增傳媒查詢升級步驟。")
    refused(2)  # the pass was before version 2
    take(client, procedure, quiz, right=True)
    ack = Acknowledgement.objects.get(user=person.user, page_id=procedure.pk, version_number=2)
    assert acknowledge(user=person.user, page=procedure, version_number=2) == (ack, False)


def test_an_acknowledgement_made_before_the_check_was_added_stands(make_procedure, make_staff):
    """Pressing the button again after a check was added (a minor change) changes nothing and asks for
    nothing: the existing acknowledgement is found before the check is."""
    procedure = make_procedure()
    person = make_staff("reader")
    ack, created = acknowledge(user=person.user, page=procedure, version_number=1)
    assert created
    procedure = publish_change(
        procedure, change_summary="加入理解測驗。", is_minor_change=True, comprehension_quiz=make_check()
    )
    assert procedure.comprehension_quiz_id is not None
    assert acknowledge(user=person.user, page=procedure, version_number=1) == (ack, False)
    assert Record.objects.filter(kind="acknowledgement").count() == 1
