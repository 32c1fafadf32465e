"""Wagtail admin screen for the HR staff import: upload, preview with nothing written, then confirm.

Between the two steps the uploaded bytes wait in the user's session (at most ``MAX_UPLOAD_BYTES``), keyed by
a one-time token, so the confirm step re-validates exactly the file that was previewed.
"""

from __future__ import annotations

import base64
import io
import secrets

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.spreadsheets import Sheet, spreadsheet_response

from .importing import (
    ERR_FILE_TYPE,
    REQUIRED_COLUMNS,
    TEMPLATE_HEADERS,
    ImportResult,
    StaffImportError,
    parse_staff_file,
    staff_import,
)

IMPORT_PERMISSION = "people.import_staff"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SESSION_KEY = "people_staff_import"
TEMPLATE_STEM = "staff-import-template"

ERR_TOO_LARGE = _("The file is larger than %(max)s MB: split it into smaller files.")
ERR_UPLOAD_EXPIRED = _("That upload is no longer available. Please upload the file again.")
MSG_IMPORTED = _(
    "Staff imported: %(created)s created, %(updated)s updated, %(deactivated)s deactivated, "
    "%(unchanged)s unchanged."
)


def can_import_staff(user) -> bool:
    return user.is_active and user.has_perm(IMPORT_PERMISSION)


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Staff file"),
        help_text=_("CSV (UTF-8) or Excel .xlsx with a header row, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                ERR_TOO_LARGE % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="too_large"
            )
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise ValidationError(ERR_FILE_TYPE, code="file_type")
        return upload


class StaffImportView(WagtailAdminTemplateMixin, View):
    """GET: upload form. POST a file: preview (or errors), nothing written. POST the token: apply."""

    template_name = "people/admin/import_staff.html"
    page_title = _("Import staff")
    header_icon = "user"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_import_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(SESSION_KEY, None)  # an abandoned preview does not keep HR data around
        return self.render(form=StaffImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "token" in request.POST:
            return self.confirm(request)
        form = StaffImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            result = self.run(content, upload.name, dry_run=True)
        except StaffImportError as exc:
            return self.render(form=StaffImportForm(), issues=exc.issues, filename=upload.name)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token,
            "filename": upload.name,
            "content": base64.b64encode(content).decode("ascii"),
        }
        return self.render(result=result, token=token, filename=upload.name)

    def confirm(self, request: HttpRequest) -> HttpResponse:
        stored = request.session.get(SESSION_KEY)
        if not stored or not constant_time_compare(stored["token"], request.POST["token"]):
            messages.error(request, ERR_UPLOAD_EXPIRED)
            return redirect("people_import_staff")
        del request.session[SESSION_KEY]
        content = base64.b64decode(stored["content"])
        try:
            result = self.run(content, stored["filename"], dry_run=False)
        except StaffImportError as exc:
            # The database changed since the preview; nothing was written.
            return self.render(form=StaffImportForm(), issues=exc.issues, filename=stored["filename"])
        messages.success(
            request,
            MSG_IMPORTED
            % {
                "created": result.created,
                "updated": result.updated,
                "deactivated": result.deactivated,
                "unchanged": result.unchanged,
            },
        )
        return redirect("people_import_staff")

    def run(self, content: bytes, filename: str, *, dry_run: bool) -> ImportResult:
        rows = parse_staff_file(io.BytesIO(content), filename)
        return staff_import(rows, dry_run=dry_run, actor=self.request.user)

    def render(self, **context) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(max_upload_mb=MAX_UPLOAD_BYTES // (1024 * 1024), **context)
        )


def staff_import_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with the Chinese headers (the one CSV writer: UTF-8 with BOM, so Excel shows them)."""
    if not can_import_staff(request.user):
        raise PermissionDenied
    sheet = Sheet(title=TEMPLATE_STEM, header=[TEMPLATE_HEADERS[c] for c in REQUIRED_COLUMNS], rows=[])
    return spreadsheet_response(TEMPLATE_STEM, "csv", [sheet])
