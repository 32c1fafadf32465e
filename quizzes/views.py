"""Learner pages: quizzes open to me, a quiz's rules and start, the attempt (all questions or one per page,
autosave, countdown), the result, my attempt history. Every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Page

from core.params import parse_int

from .forms import decode_form, decode_json, parse_seq
from .grading import AnswerError
from .models import Attempt, AttemptState, Layout, Quiz
from .presenters import learner_question
from .selectors import attempt_for, my_attempts, open_quizzes, review_allowed, slots_of, standing
from .services import (
    QuizError,
    attempt_close_if_overdue,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)


def _safe_next(request: HttpRequest, url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500 or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return url


def _page_number(raw: str | None, last: int) -> int:
    number = parse_int(raw, maximum=9999)  # ASCII digits only: "²".isdigit() is True, int("²") fails
    return min(number, last) if number is not None else 1


def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = list(open_quizzes())
    mine: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=request.user, quiz__in=quizzes).order_by("number"):
        mine.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in quizzes:
        attempts = mine.get(quiz.pk, [])
        graded = [a for a in attempts if a.state == AttemptState.GRADED]
        rows.append(
            {
                "quiz": quiz,
                "used": len(attempts),
                "best": max((a.score for a in graded), default=None),
                "passed": any(a.passed for a in graded),
                "in_progress": any(a.state == AttemptState.IN_PROGRESS for a in attempts),
            }
        )
    return TemplateResponse(request, "quizzes/quiz_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    attempts_close_overdue(quiz=quiz, user=request.user)
    for_page_raw = request.POST.get("for_page") or request.GET.get("for_page") or ""
    for_page = None
    if for_page_raw:
        page_id = parse_int(for_page_raw)
        if page_id is None:
            return _bad_request(request, _("The field “for_page” must be a page id."))
        for_page = Page.objects.live().filter(pk=page_id).first()
        if for_page is None:
            return _bad_request(request, _("The page this quiz is for does not exist."))
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    if request.method == "POST":
        try:
            attempt, created = attempt_start(
                quiz=quiz,
                user=request.user,
                for_page_id=for_page.pk if for_page else None,
                return_url=next_url,
            )
        except QuizError as exc:
            messages.error(request, str(exc))
            return redirect("quiz_start", quiz_id=quiz.pk)
        if not created:
            messages.info(request, _("You have an attempt in progress: continue it here."))
        return redirect("quiz_attempt", attempt_id=attempt.pk)
    if not quiz.is_open() and not Attempt.objects.filter(quiz=quiz, user=request.user).exists():
        raise Http404(_("This quiz is not open at the moment."))
    mine = standing(quiz, request.user)
    context = {
        "quiz": quiz,
        "standing": mine,
        "question_count": quiz.question_count(),
        "for_page": for_page,
        "next": next_url,
    }
    return TemplateResponse(request, "quizzes/quiz_start.html", context)


def _bad_request(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return TemplateResponse(request, "quizzes/error.html", {"message": message}, status=status)


def _own_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = attempt_for(request.user, attempt_id)
    if attempt is None:
        raise Http404(_("There is no such attempt of yours."))
    return attempt


def _remaining_seconds(attempt: Attempt) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


@require_http_methods(["GET", "POST"])
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS and attempt_close_if_overdue(attempt):
        messages.warning(request, _("Time ran out: your saved answers were submitted."))
        return redirect("quiz_result", attempt_id=attempt.pk)
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect("quiz_result", attempt_id=attempt.pk)
    slots = slots_of(attempt)
    one_per_page = attempt.rules.get("layout") == Layout.ONE
    page = _page_number(request.POST.get("page") or request.GET.get("page"), len(slots))
    status = 200
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            seq = parse_seq(request.POST.get("seq"))
            answers = decode_form(request.POST, {slot.position: slot for slot in slots})
            if action == "submit":
                attempt_submit(attempt=attempt, user=request.user, answers=answers, seq=seq)
                return redirect("quiz_result", attempt_id=attempt.pk)
            attempt_save_answers(attempt=attempt, user=request.user, answers=answers, seq=seq)
        except (AnswerError, QuizError) as exc:
            if isinstance(exc, QuizError) and exc.status == 409 and not _still_open(attempt):
                messages.warning(request, str(exc))
                return redirect("quiz_result", attempt_id=attempt.pk)
            error, status = str(exc), getattr(exc, "status", 400)
        else:
            target = {"next": page + 1, "previous": page - 1}.get(action, page)
            url = reverse("quiz_attempt", args=[attempt.pk])
            if one_per_page:
                url += f"?page={_page_number(str(target), len(slots))}"
            if action == "save":
                messages.success(request, _("Your answers are saved."))
            return redirect(url)
        attempt.refresh_from_db()
        slots = slots_of(attempt)
    shown = [slots[page - 1]] if one_per_page else slots
    remaining = _remaining_seconds(attempt)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": [learner_question(slot) for slot in shown],
        "all_questions": [learner_question(slot) for slot in slots] if one_per_page else None,
        "shown": ",".join(str(slot.position) for slot in shown),
        "one_per_page": one_per_page,
        "page": page,
        "pages": len(slots),
        "next_seq": attempt.seq + 1,
        "remaining": remaining,
        "remaining_minutes": -(-remaining // 60) if remaining is not None else None,
        "error": error,
    }
    return TemplateResponse(request, "quizzes/attempt.html", context, status=status)


def _still_open(attempt: Attempt) -> bool:
    return Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).exists()


@require_POST
def attempt_answers(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """Autosave: JSON in, JSON out ({"seq", "saved_at", "remaining"} or {"error"} with a 4xx status)."""
    attempt = attempt_for(request.user, attempt_id)
    if attempt is None:
        return JsonResponse({"error": _("There is no such attempt of yours.")}, status=404)
    slots = {slot.position: slot for slot in slots_of(attempt)}
    try:
        seq, answers = decode_json(request.body, slots)
        attempt = attempt_save_answers(attempt=attempt, user=request.user, answers=answers, seq=seq)
    except AnswerError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except QuizError as exc:
        body = {"error": str(exc)}
        if not _still_open(attempt):
            body["result_url"] = reverse("quiz_result", args=[attempt.pk])
        return JsonResponse(body, status=exc.status)
    return JsonResponse(
        {
            "seq": attempt.seq,
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
            "remaining": _remaining_seconds(attempt),
        }
    )


def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS and not attempt_close_if_overdue(attempt):
        return redirect("quiz_attempt", attempt_id=attempt.pk)
    attempt.refresh_from_db()
    mine = standing(attempt.quiz, request.user)
    review = review_allowed(attempt, mine)
    slots = slots_of(attempt)
    questions = [learner_question(slot, review=review) for slot in slots]
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "standing": mine,
        "review": review,
        "questions": questions,
        "correct_count": sum(1 for slot in slots if slot.fraction is not None and slot.fraction >= 1),
        "return_url": _safe_next(request, attempt.return_url),
        "policy": attempt.rules.get("review_policy"),
    }
    return TemplateResponse(request, "quizzes/result.html", context)


def history(request: HttpRequest) -> HttpResponse:
    attempts_close_overdue(user=request.user)
    page_obj = Paginator(my_attempts(request.user), 25).get_page(request.GET.get("page"))
    return TemplateResponse(request, "quizzes/history.html", {"page_obj": page_obj})
