"""Trainer screens in the Wagtail admin: question import (check, then confirm), the XLSX template, category
exports, and per-quiz attempts with per-question statistics (XLSX download)."""

from __future__ import annotations

import base64
import secrets

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.spreadsheets import Sheet, local_time_label, spreadsheet_response

from .importing import (
    MAX_FILE_BYTES,
    XLSX_COLUMNS,
    QuestionImportError,
    export_gift,
    parse_file,
    questions_import,
    xlsx_header,
    xlsx_rows,
)
from .models import Question, QuestionCategory, Quiz
from .selectors import question_statistics, quiz_attempts, quiz_summary

IMPORT_PERMISSION = "quizzes.import_questions"
RESULTS_PERMISSION = "quizzes.view_results"
SESSION_KEY = "quizzes_question_import"

ERR_TOO_LARGE = _("The file is larger than 5 MB: split it into smaller files.")
ERR_EXPIRED = _("That upload is no longer available. Please upload the file again.")
MSG_IMPORTED = _("Imported %(total)s questions into %(categories)s.")


def can_import(user) -> bool:
    return user.is_active and user.has_perm(IMPORT_PERMISSION)


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("GIFT (.gift or .txt), Aiken (.txt) or the XLSX template (.xlsx), UTF-8, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,.xlsx"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("From the file name")), ("gift", "GIFT"), ("aiken", "Aiken"), ("xlsx", "XLSX")],
        required=False,
    )
    category = forms.CharField(
        label=_("Into category"),
        required=False,
        max_length=500,
        help_text=_(
            "A path such as 反洗錢/可疑交易; the file's own categories go below it. Created if missing."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(ERR_TOO_LARGE, code="too_large")
        return upload


class QuestionImportView(WagtailAdminTemplateMixin, View):
    """GET: the form. POST a file: check it (nothing written) and preview. POST the token: import."""

    template_name = "quizzes/admin/import.html"
    page_title = _("Import questions")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(SESSION_KEY, None)
        return self.render(form=QuestionImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "token" in request.POST:
            return self.confirm(request)
        form = QuestionImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        fmt, category = form.cleaned_data["format"] or None, form.cleaned_data["category"].strip()
        try:
            summary = questions_import(
                parse_file(content, upload.name, fmt), base_category=category, dry_run=True
            )
        except QuestionImportError as exc:
            return self.render(form=form, issues=exc.issues, filename=upload.name)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token,
            "filename": upload.name,
            "format": fmt,
            "category": category,
            "content": base64.b64encode(content).decode("ascii"),
        }
        return self.render(summary=summary, token=token, filename=upload.name)

    def confirm(self, request: HttpRequest) -> HttpResponse:
        stored = request.session.get(SESSION_KEY)
        if not stored or not constant_time_compare(stored["token"], request.POST.get("token", "")):
            messages.error(request, ERR_EXPIRED)
            return redirect("quizzes_import")
        del request.session[SESSION_KEY]
        content = base64.b64decode(stored["content"])
        try:
            parsed = parse_file(content, stored["filename"], stored["format"])
            summary = questions_import(parsed, base_category=stored["category"], user=request.user)
        except QuestionImportError as exc:
            return self.render(form=QuestionImportForm(), issues=exc.issues, filename=stored["filename"])
        messages.success(
            request, MSG_IMPORTED % {"total": summary.total, "categories": "、".join(summary.categories)}
        )
        return redirect("wagtailsnippets_quizzes_question:list")

    def render(self, **context) -> HttpResponse:
        return self.render_to_response(self.get_context_data(columns=XLSX_COLUMNS, **context))


# One example per question type, by column key (importing.XLSX_COLUMNS); empty columns are left out.
TEMPLATE_EXAMPLES = [
    {
        "category": "反洗錢/可疑交易",
        "type": "單選",
        "name": "STR 提交時限",
        "question": "發現可疑交易後，應於何時向聯合財富情報組提交報告？",
        "option_a": "盡快，不得無故延誤",
        "option_b": "一個月內",
        "option_c": "年底一併提交",
        "answer": "A",
        "explanation": "法例要求「盡快」提交。",
        "tags": "可疑交易",
        "duty_area": 7,
    },
    {
        "category": "反洗錢/可疑交易",
        "type": "多選",
        "name": "紅旗",
        "question": "以下哪些屬可疑交易紅旗？",
        "option_a": "多次存入略低於申報門檻的現金",
        "option_b": "與背景不符的大額跨境匯款",
        "option_c": "按時償還按揭",
        "weights": "50,50,-100",
        "tags": "可疑交易,紅旗",
        "duty_area": 7,
    },
    {
        "category": "反洗錢",
        "type": "是非",
        "question": "可以告訴客戶銀行已就其交易提交可疑交易報告。",
        "answer": "否",
        "explanation": "這屬「通風報訊」，屬違法行為。",
        "duty_area": 7,
    },
    {
        "category": "反洗錢",
        "type": "簡答",
        "question": "接收可疑交易報告的機構簡稱？",
        "option_a": "JFIU",
        "option_b": "聯合財富情報組",
        "duty_area": 7,
    },
    {
        "category": "客戶投訴",
        "type": "配對",
        "question": "配對投訴處理時限",
        "option_a": "確認收到投訴 -> 1 個工作天",
        "option_b": "最終回覆 -> 30 日",
        "duty_area": 2,
        "tests_step": "第 3 步",
    },
]


def import_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template with one example per type, and a sheet describing the columns."""
    if not can_import(request.user):
        raise PermissionDenied
    columns = Sheet(
        title=str(_("Columns")),
        header=[str(_("Column")), str(_("Meaning"))],
        rows=[[zh, str(meaning)] for _key, zh, meaning in XLSX_COLUMNS],
        widths=[14, 90],
    )
    rows = [[example.get(key, "") for key, _zh, _help in XLSX_COLUMNS] for example in TEMPLATE_EXAMPLES]
    examples = Sheet(title=str(_("Questions")), header=xlsx_header(), rows=rows, widths=[18, 8, 16, 40])
    return spreadsheet_response("question-import-template", "xlsx", [examples, columns])


def category_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A category and its subcategories as GIFT or as the XLSX template (what import reads back)."""
    if not request.user.has_perm("quizzes.view_question"):
        raise PermissionDenied
    category = get_object_or_404(QuestionCategory, pk=pk)
    questions = list(
        Question.objects.filter(category__in=category.subtree())
        .select_related("category")
        .prefetch_related("options", "tags")
        .order_by("category__path", "pk")
    )
    stem = f"questions-{category.path.replace('/', '-')}"
    if fmt == "gift":
        response = HttpResponse(export_gift(questions), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}.gift")
        return response
    if fmt == "xlsx":
        sheet = Sheet(
            title=category.name, header=xlsx_header(), rows=xlsx_rows(questions), widths=[18, 8, 16, 40]
        )
        return spreadsheet_response(stem, "xlsx", [sheet])
    raise PermissionDenied


class QuizResultsView(WagtailAdminTemplateMixin, View):
    """Per quiz: who attempted, scores, and per-question facility, discrimination and option choices."""

    template_name = "quizzes/admin/results.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(RESULTS_PERMISSION):
            raise PermissionDenied
        self.quiz = get_object_or_404(Quiz, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Results: %(title)s") % {"title": self.quiz.title}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attempts = list(quiz_attempts(self.quiz)[:1000])
        stats = question_statistics(self.quiz)
        if request.GET.get("format") == "xlsx":
            return self.download(attempts, stats)
        context = self.get_context_data(
            quiz=self.quiz, attempts=attempts, stats=stats, summary=quiz_summary(self.quiz)
        )
        return self.render_to_response(context)

    def download(self, attempts, stats) -> HttpResponse:
        zone = local_time_label()
        attempt_sheet = Sheet(
            title=str(_("Attempts")),
            header=[
                _("Employee number"),
                _("Name"),
                _("Department"),
                _("Attempt"),
                _("Started (%(zone)s)") % {"zone": zone},
                _("Submitted (%(zone)s)") % {"zone": zone},
                _("State"),
                _("Score %"),
                _("Passed"),
                _("Time ran out"),
                _("Ledger record"),
            ],
            rows=(
                [
                    getattr(getattr(a.user, "staff_profile", None), "employee_number", ""),
                    getattr(getattr(a.user, "staff_profile", None), "display_name", "")
                    or a.user.get_username(),
                    getattr(getattr(getattr(a.user, "staff_profile", None), "department", None), "name", ""),
                    a.number,
                    a.started_at,
                    a.submitted_at,
                    a.get_state_display(),
                    a.score,
                    a.passed,
                    a.timed_out,
                    a.record_id,
                ]
                for a in attempts
            ),
        )
        stats_sheet = Sheet(
            title=str(_("Questions")),
            header=[
                _("Question"),
                _("Type"),
                _("Times seen"),
                _("Facility %"),
                _("Discrimination"),
                _("Choices"),
            ],
            rows=(
                [
                    s.name,
                    s.qtype,
                    s.seen,
                    s.facility,
                    s.discrimination,
                    "；".join(f"{label}: {count}" for label, count, _ok in s.choices),
                ]
                for s in stats
            ),
        )
        return spreadsheet_response(f"quiz-{self.quiz.pk}-results", "xlsx", [attempt_sheet, stats_sheet])
