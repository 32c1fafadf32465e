"""Signing in with the employee number as well as the username (the login page offers both).

The password is the same either way. The failed-login lock (django-axes) counts both spellings against the
one username, so typing the employee number does not buy five more tries (``lockout_username``).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password

from people.models import StaffProfile


def user_for_employee_number(typed: str | None):
    """The user whose employee number is ``typed`` (any case, outer spaces ignored), or None."""
    number = (typed or "").strip()
    if not number or len(number) > StaffProfile._meta.get_field("employee_number").max_length:
        return None
    profile = StaffProfile.objects.select_related("user").filter(employee_number__iexact=number).first()
    return profile.user if profile else None


class EmployeeNumberBackend(ModelBackend):
    """Tried after Django's own backend: ``username`` may be an employee number such as ``E10907``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None:
            return None
        user = user_for_employee_number(username)
        if user is None:
            make_password(password)  # as long as a real check: no timing hint of which numbers exist
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username the lock counts against, whichever of the two was typed."""
    typed = (credentials or {}).get("username") if credentials else None
    if typed is None:
        typed = getattr(request, "POST", {}).get("username")
    user = user_for_employee_number(typed)
    return user.get_username() if user is not None else typed
