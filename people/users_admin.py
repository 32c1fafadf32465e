"""Wagtail's user screens with the rules of people/access.py enforced on the server.

Installed through ``people.apps.UsersAdminConfig`` (it replaces ``wagtail.users`` in INSTALLED_APPS), and the
three user bulk actions are re-registered (``wagtail_hooks``) with the same checks.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import (
    AssignRoleBulkAction,
    DeleteBulkAction,
    SetActiveStateBulkAction,
)
from wagtail.users.views.bulk_actions.assign_role import RoleForm

from .access import ERR_PRIVILEGED_ACCOUNT, can_change_groups, can_manage_user, grantable_groups
from .roles import role_label

SUPERUSER_ONLY = _("Only an IT administrator (superuser) can give administrator status.")


class GuardedUserFormMixin:
    """Offers only the groups the signed-in user may grant; locks superuser status and one's own groups."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        editing_self = for_user is not None and self.instance.pk == for_user.pk
        groups = self.fields["groups"]
        current = self.instance.groups.all() if self.instance.pk else groups.queryset.none()
        groups.queryset = (grantable_groups(for_user) | current).distinct().order_by("name")
        groups.label_from_instance = lambda group: role_label(group.name)
        if editing_self:
            groups.disabled = True
            groups.help_text = _("Nobody can change their own groups; ask an IT administrator.")
        if "is_superuser" in self.fields and not for_user.is_superuser:
            self.fields["is_superuser"].disabled = True
            self.fields["is_superuser"].help_text = SUPERUSER_ONLY

    def clean_groups(self):
        chosen = set(self.cleaned_data["groups"])
        before = set(self.instance.groups.all()) if self.instance.pk else set()
        if problem := can_change_groups(self.for_user, self.instance, chosen - before, before - chosen):
            raise forms.ValidationError(problem, code="groups_refused")
        return self.cleaned_data["groups"]

    def clean_is_superuser(self):
        value = self.cleaned_data.get("is_superuser", False)
        if value != self.instance.is_superuser and not self.for_user.is_superuser:
            raise forms.ValidationError(SUPERUSER_ONLY, code="superuser_refused")
        return value


class GuardedUserCreationForm(GuardedUserFormMixin, UserCreationForm):
    pass


class GuardedUserEditForm(GuardedUserFormMixin, UserEditForm):
    pass


class _ForUserFormMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class RoleLabelUserFilterSet(wagtail_users.UserFilterSet):
    """The group filter shows roles by their translated labels (the names are stable English keys)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].field.label_from_instance = lambda group: role_label(group.name)


class UserIndexView(wagtail_users.IndexView):
    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if can_manage_user(self.request.user, instance) else None


class UserCreateView(_ForUserFormMixin, wagtail_users.CreateView):
    pass


class UserEditView(_ForUserFormMixin, wagtail_users.EditView):
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_user(request.user, self.object):
            raise PermissionDenied(ERR_PRIVILEGED_ACCOUNT)
        return super().dispatch(request, *args, **kwargs)


class UserDeleteView(wagtail_users.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_user(request.user, self.get_object()):
            raise PermissionDenied(ERR_PRIVILEGED_ACCOUNT)
        return super().dispatch(request, *args, **kwargs)


class UserViewSet(wagtail_users.UserViewSet):
    filterset_class = RoleLabelUserFilterSet
    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView

    def get_form_class(self, for_update=False):
        return GuardedUserEditForm if for_update else GuardedUserCreationForm


# --- bulk actions ----------------------------------------------------------------------------------------


class _GuardedBulkMixin:
    """Never act on oneself or on an account only a superuser may manage."""

    def check_perm(self, obj) -> bool:
        user = self.request.user
        return obj.pk != user.pk and can_manage_user(user, obj) and super().check_perm(obj)


class GuardedRoleForm(RoleForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = grantable_groups(for_user)
        self.fields["role"].label_from_instance = lambda group: role_label(group.name)


class GuardedAssignRoleBulkAction(_GuardedBulkMixin, AssignRoleBulkAction):
    form_class = GuardedRoleForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class GuardedSetActiveStateBulkAction(_GuardedBulkMixin, SetActiveStateBulkAction):
    pass


class GuardedDeleteBulkAction(_GuardedBulkMixin, DeleteBulkAction):
    pass


GUARDED_BULK_ACTIONS = (GuardedAssignRoleBulkAction, GuardedSetActiveStateBulkAction, GuardedDeleteBulkAction)
