"""Staff-facing views of training: 我的培訓, the catalogue, a course with its lessons, a lesson (opening it
counts), recertification, refreshers, certificates and their verification."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.pages import page_views
from people.access import is_read_only
from people.models import StaffProfile
from people.selectors import profile_for, team_of
from quizzes.selectors import standing

from .certificates import certificate_pdf
from .forms import RefresherForm, VerifyForm
from .ledger_checks import completion_problems
from .models import (
    CourseCompletion,
    CoursePage,
    CourseProgress,
    CoursesIndexPage,
    LearningPathPage,
    LessonPage,
)
from .selectors import (
    completion_history,
    lessons_of,
    missing_prerequisites,
    my_training,
    open_review_flags,
    status_of,
    viewed_lesson_ids,
)
from .services import (
    CourseError,
    CourseLocked,
    can_require_refresher,
    course_recertify_start,
    course_refresher_require,
    lesson_view_record,
)

VERIFY_PERMISSIONS = ("people.view_team", "people.view_all_staff")


def my_training_view(request):
    training = my_training(request.user)
    context = {"training": training, "profile": profile_for(request.user)}
    return TemplateResponse(request, "courses/my_training.html", context)


@page_views.register(CoursesIndexPage)
def courses_index_context(page: CoursesIndexPage, request) -> dict:
    paths = LearningPathPage.objects.live().child_of(page).order_by("title").prefetch_related("steps__course")
    courses = CoursePage.objects.live().child_of(page).order_by("title")
    progress = {p.course_id: p for p in CourseProgress.objects.filter(user=request.user)}
    today = timezone.localdate()
    return {
        "paths": paths,
        "courses": [(course, status_of(progress.get(course.pk), today)) for course in courses],
    }


@page_views.register(LearningPathPage)
def path_context(page: LearningPathPage, request) -> dict:
    training = my_training(request.user)
    rows = {row.course.pk: row for group in training.groups.values() for row in group}
    steps = list(page.steps.select_related("course"))
    return {"steps": [(step, rows.get(step.course_id)) for step in steps]}


def _course_context(course: CoursePage, request) -> dict:
    user = request.user
    lessons = lessons_of(course)
    progress = (
        CourseProgress.objects.filter(user=user, course=course).select_related("last_completion").first()
    )
    viewed = viewed_lesson_ids(user, course, progress.cycle) if progress else set()
    completed = progress is not None and progress.state == "completed"
    missing = missing_prerequisites(user, course)
    quiz = course.quiz if course.quiz_id else None
    quiz_url = None
    if quiz is not None:
        quiz_url = (
            reverse("quiz_start", args=[quiz.pk])
            + "?"
            + urlencode({"for_page": course.pk, "next": course.url})
        )
    today = timezone.localdate()
    return {
        "page": course,
        "self": course,
        "lessons": [(lesson, lesson.pk in viewed or completed) for lesson in lessons],
        "first_lesson": next(
            (lesson for lesson in lessons if lesson.pk not in viewed), lessons[0] if lessons else None
        ),
        "progress": progress,
        "status": status_of(progress, today),
        "missing": missing,
        "quiz": quiz,
        "quiz_url": quiz_url,
        "quiz_standing": standing(quiz, user) if quiz else None,
        "history": list(completion_history(user, course.pk)),
        "read_only": is_read_only(user),
        "can_refresher": can_require_refresher(user, course),
        "flags": list(open_review_flags([course.pk]))
        if can_require_refresher(user, course)
        or (course.content_owner_id and getattr(profile_for(user), "pk", None) == course.content_owner_id)
        else [],
        "can_recertify": bool(
            progress
            and progress.state == "completed"
            and progress.valid_until
            and (progress.valid_until - today).days <= 30
        ),
    }


@page_views.register(CoursePage, "home")
def course_home(course: CoursePage, request):
    return TemplateResponse(request, "courses/course_page.html", _course_context(course, request))


@page_views.register(CoursePage, "recertify")
def course_recertify(course: CoursePage, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        course_recertify_start(user=request.user, course=course)
    except CourseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Recertification started: your earlier completions stay in your history.")
        )
    return redirect(course.url)


@page_views.register(CoursePage, "refresher")
def course_refresher(course: CoursePage, request):
    if not can_require_refresher(request.user, course):
        raise PermissionDenied(_("Only training admins and the course's editors can require a refresher."))
    form = RefresherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refresher = course_refresher_require(
                user=request.user, course=course, reason=form.cleaned_data["reason"]
            )
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Refresher required: %(n)s people whose completion predates this version must take it "
                    "again."
                )
                % {"n": refresher.reopened},
            )
            return redirect(course.url)
    context = {"page": course, "self": course, "form": form, "refreshers": course.refreshers.all()[:10]}
    return TemplateResponse(request, "courses/refresher.html", context, status=400 if form.errors else 200)


def _lesson_context(lesson: LessonPage, request) -> dict:
    course = lesson.get_parent().specific
    lessons = lessons_of(course)
    index = next((n for n, item in enumerate(lessons) if item.pk == lesson.pk), 0)
    return {
        "page": lesson,
        "self": lesson,
        "course": course,
        "lessons": lessons,
        "number": index + 1,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
    }


@page_views.register(LessonPage, "home")
def lesson_home(lesson: LessonPage, request):
    context = _lesson_context(lesson, request)
    course = context["course"]
    if is_read_only(request.user):
        context["progress"] = None  # auditors read without recording
    else:
        try:
            context["progress"] = lesson_view_record(user=request.user, lesson=lesson)
        except CourseLocked as exc:
            return TemplateResponse(
                request,
                "courses/locked.html",
                {"page": course, "self": course, "message": str(exc)},
                status=403,
            )
    return TemplateResponse(request, "courses/lesson_page.html", context)


@page_views.register(LessonPage, "done")
def lesson_done(lesson: LessonPage, request):
    """Mark as done (the lesson's last button): counts the lesson and goes on to the next step."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    context = _lesson_context(lesson, request)
    course = context["course"]
    try:
        progress = lesson_view_record(user=request.user, lesson=lesson)
    except CourseLocked as exc:
        raise PermissionDenied(str(exc)) from exc
    if context["next"] is not None:
        return redirect(context["next"].url)
    if progress.state == "completed":
        messages.success(request, _("Course completed. Well done!"))
    elif course.needs_quiz and not progress.quiz_passed:
        messages.info(request, _("All lessons done. Take the course quiz to complete the course."))
    return redirect(course.url)


# --- certificates and verification ---------------------------------------------------------------------


def _can_see_completion(user, completion: CourseCompletion) -> bool:
    if completion.user_id == user.pk or user.has_perm("people.view_all_staff"):
        return True
    me = profile_for(user)
    if me is None or not user.has_perm("people.view_team"):
        return False
    return team_of(me).filter(user_id=completion.user_id).exists()


def certificate_download(request, code: str):
    completion = CourseCompletion.objects.filter(code=code.upper()[:20]).select_related("user").first()
    if completion is None or not _can_see_completion(request.user, completion):
        raise Http404(_("There is no certificate with this code that you may open."))
    if completion.course_id and not completion.course.certificate:
        raise Http404(_("This course does not issue certificates."))
    response = HttpResponse(certificate_pdf(completion), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{completion.code}.pdf"'
    return response


@require_GET
def verify(request):
    """Supervisors and auditors enter a certificate's code and see whether it is genuine."""
    if not any(request.user.has_perm(p) for p in VERIFY_PERMISSIONS):
        raise PermissionDenied(
            _("Only supervisors, compliance officers and auditors can verify certificates.")
        )
    form = VerifyForm(request.GET or None)
    context: dict = {"form": form}
    if request.GET and form.is_valid():
        completion = (
            CourseCompletion.objects.filter(code=form.cleaned_data["code"]).select_related("record").first()
        )
        context["checked"] = True
        context["completion"] = completion
        if completion is not None:
            context["person"] = StaffProfile.objects.filter(user_id=completion.user_id).first()
            context["problems"] = completion_problems(completion)
    status = 400 if request.GET and not form.is_valid() else 200
    return TemplateResponse(request, "courses/verify.html", context, status=status)
