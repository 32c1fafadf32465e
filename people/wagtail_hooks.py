"""Wagtail admin hooks for people: the staff screens, the HR import screen, and keeping staff logins."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from .admin_views import StaffImportView, can_import_staff, staff_import_template
from .models import StaffProfile
from .users_admin import GUARDED_BULK_ACTIONS
from .viewsets import PeopleViewSetGroup

register_snippet(PeopleViewSetGroup)


@hooks.register("register_admin_urls")
def register_staff_import_urls():
    return [
        path("people/import/", StaffImportView.as_view(), name="people_import_staff"),
        path("people/import/template.csv", staff_import_template, name="people_import_staff_template"),
    ]


class StaffImportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return can_import_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_staff_import_menu_item():
    return StaffImportMenuItem(
        gettext_lazy("Import staff"),
        reverse("people_import_staff"),
        name="import-staff",
        icon_name="upload",
        order=900,
    )


@hooks.register("before_delete_user")
def keep_staff_logins(request, user):
    """A member of staff is deactivated, never deleted: their evidence must stay attributable."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    messages.error(
        request,
        _("%(name)s is a member of staff: mark them inactive in People → Staff instead. Their records stay.")
        % {"name": profile.display_name},
    )
    return redirect("wagtailsnippets_people_staffprofile:edit", profile.pk)


# Replace Wagtail's user bulk actions (same action types, registered after wagtail.users' own).
for _action in GUARDED_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=100)
