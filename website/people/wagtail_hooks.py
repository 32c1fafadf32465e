"""Wagtail admin hooks for people: the HR staff import screen and its menu item."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import StaffImportView, can_import_staff, staff_import_template


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
        _("Import staff"), reverse("people_import_staff"), name="import-staff", icon_name="upload", order=900
    )
