"""Reads of people and the org chart. Each returns a QuerySet or value in a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, QuerySet

from .models import StaffProfile

VIEW_ALL = "people.view_all_staff"
VIEW_TEAM = "people.view_team"


def staff_list() -> QuerySet[StaffProfile]:
    return StaffProfile.objects.select_related("department", "position", "supervisor", "user")


def profile_for(user: AbstractBaseUser | AnonymousUser) -> StaffProfile | None:
    """The signed-in user's profile with its relations, or None (e.g. a bare superuser)."""
    if not user.is_authenticated:
        return None
    return staff_list().filter(user=user).first()


def team_of(profile: StaffProfile, *, include_inactive: bool = False) -> QuerySet[StaffProfile]:
    """Direct and indirect reports of ``profile`` (one query at any depth), annotated with ``level``."""
    qs = (
        staff_list()
        .filter(ancestor_paths__ancestor=profile, ancestor_paths__depth__gte=1)
        .annotate(level=F("ancestor_paths__depth"))
        .order_by("level", "department__code", "employee_number")
    )
    return qs if include_inactive else qs.filter(is_active=True)


def can_view_profile(user: AbstractBaseUser, profile: StaffProfile) -> bool:
    if user.has_perm(VIEW_ALL) or profile.user_id == user.pk:
        return True
    return user.has_perm(VIEW_TEAM) and profile.ancestor_paths.filter(ancestor__user=user).exists()


def has_team(user: AbstractBaseUser) -> bool:
    """Whether the team page has something to show this user."""
    if user.has_perm(VIEW_ALL):
        return True
    return user.has_perm(VIEW_TEAM) and has_reports(user)


def has_reports(user: AbstractBaseUser) -> bool:
    """Whether anyone (active or not) reports directly to ``user``."""
    return StaffProfile.objects.filter(supervisor__user=user).exists()


def team_scope(user: AbstractBaseUser, profile: StaffProfile | None, *, include_inactive: bool = False):
    """What the team page lists for ``user``: (their subtree, True) when they have reports, else
    (everyone, False) for org-wide roles, else (nobody, False). The home page counts the same list."""
    if profile is not None and has_reports(user):
        return team_of(profile, include_inactive=include_inactive), True
    if user.has_perm(VIEW_ALL):
        people = staff_list().order_by("department__code", "employee_number")
        return (people if include_inactive else people.filter(is_active=True)), False
    return StaffProfile.objects.none(), False


def reporting_line(profile: StaffProfile) -> list[StaffProfile]:
    """The profile's supervisors, top first, in one query."""
    return list(
        staff_list()
        .filter(descendant_paths__descendant=profile, descendant_paths__depth__gte=1)
        .order_by("-descendant_paths__depth")
    )
