"""Certificates: a one-page PDF per completion, drawn by WeasyPrint (Pango) with Noto CJK fonts embedded as
subsets, so every character of a Hong Kong name — HKSCS and CJK Extension B included (𡃁, 𨋢) — prints and
shows the same in every viewer. (ReportLab's built-in CID fonts are not embedded: poppler shows blanks.)"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from core.urls import absolute_url
from people.models import StaffProfile

from .models import CourseCompletion


def certificate_context(completion: CourseCompletion) -> dict:
    profile = StaffProfile.objects.filter(user_id=completion.user_id).first()
    return {
        "completion": completion,
        "name": profile.display_name
        if profile
        else completion.record.actor_name or completion.user.get_username(),
        "employee_number": profile.employee_number if profile else completion.record.actor_employee_number,
        "completed_on": timezone.localdate(completion.completed_at),
        "verify_url": absolute_url(reverse("course_verify")),
    }


def certificate_pdf(completion: CourseCompletion) -> bytes:
    import weasyprint  # loads Pango through cffi: only when a certificate is asked for

    with override("zh-hant"):
        html = render_to_string("courses/certificate.html", certificate_context(completion))
    return weasyprint.HTML(string=html).write_pdf()
