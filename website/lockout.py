"""The page shown when django-axes refuses a login (settings.AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

LOCKED_OUT_STATUS = 429


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Say why, for how long, and who can unlock, without saying whether the password was right."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    response = TemplateResponse(request, "registration/locked_out.html", context, status=LOCKED_OUT_STATUS)
    return response.render()
