"""Who may hand out which rights: the rules behind the Wagtail user screens (people/users_admin.py).

A group is *privileged* when it carries a right that lets its members put content live or hand out rights:
publishing pages, approving in a workflow, or managing users, groups, permissions, workflows or tasks.
Only a superuser may grant or withdraw such a group or superuser status, and only a superuser may edit an
account that holds one (whoever can set a password can become that person). Nobody changes their own groups.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .roles import AUDITOR, role_label

# Models whose add/change/delete permissions let the holder create rights for others.
RIGHTS_MODELS = (
    ("auth", "user"),
    ("auth", "group"),
    ("auth", "permission"),
    ("wagtailcore", "workflow"),
    ("wagtailcore", "task"),
    ("wagtailcore", "groupapprovaltask"),
)

ERR_PRIVILEGED_GROUP = _(
    "Only an IT administrator (superuser) can grant or remove these groups, because they carry publish, "
    "approval or user-management rights: %(groups)s."
)
ERR_OWN_GROUPS = _("Nobody can change their own groups or administrator status; ask an IT administrator.")
ERR_PRIVILEGED_ACCOUNT = _(
    "This account holds publish, approval or user-management rights, so only an IT administrator "
    "(superuser) can change it."
)


def read_only_users() -> QuerySet:
    """Auditors read everything and write nothing, whatever other roles they also hold (not superusers)."""
    return get_user_model().objects.filter(is_superuser=False, groups__name=AUDITOR)


def is_read_only(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and read_only_users().filter(pk=user.pk).exists()


def read_only_sync(user_ids: Iterable[int]) -> list[int]:
    """Set ``StaffProfile.read_only`` of these users' profiles from their groups; return the ids of the
    profiles that changed."""
    from .models import StaffProfile

    profiles = StaffProfile.objects.filter(user_id__in=list(user_ids))
    readers = read_only_users().values("pk")
    joining = list(profiles.filter(read_only=False, user_id__in=readers).values_list("pk", flat=True))
    leaving = list(profiles.filter(read_only=True).exclude(user_id__in=readers).values_list("pk", flat=True))
    StaffProfile.objects.filter(pk__in=joining).update(read_only=True)  # a few queries, however many people
    StaffProfile.objects.filter(pk__in=leaving).update(read_only=False)
    return joining + leaving


def _rights_permissions() -> QuerySet[Permission]:
    models = Q()
    for app_label, model in RIGHTS_MODELS:
        models |= Q(content_type__app_label=app_label, content_type__model=model)
    return Permission.objects.filter(models).exclude(codename__startswith="view_")


def privileged_groups() -> QuerySet[Group]:
    """Groups that publish, approve in an active workflow task, or manage users/groups/workflows; and the
    Auditor group: its members owe nothing (people.audience), so granting it withdraws all their training and
    acknowledgements, and those audited must not choose their auditors."""
    from wagtail.models import GroupApprovalTask, GroupPagePermission

    return Group.objects.filter(
        Q(name=AUDITOR)
        | Q(permissions__in=_rights_permissions())
        | Q(pk__in=GroupPagePermission.objects.filter(permission__codename="publish_page").values("group_id"))
        | Q(pk__in=GroupApprovalTask.objects.filter(active=True).values("groups"))
    ).distinct()


def grantable_groups(actor: AbstractBaseUser) -> QuerySet[Group]:
    """The groups ``actor`` may add people to or remove them from."""
    groups = Group.objects.order_by("name")
    return groups if actor.is_superuser else groups.exclude(pk__in=privileged_groups().values("pk"))


def is_privileged_user(user: AbstractBaseUser) -> bool:
    return user.is_superuser or user.groups.filter(pk__in=privileged_groups().values("pk")).exists()


def can_manage_user(actor: AbstractBaseUser, target: AbstractBaseUser) -> bool:
    """Whether ``actor`` (who already holds the user-management permission) may edit ``target``'s account.

    Editing oneself is allowed here; the forms then lock one's own groups and flags.
    """
    return actor.is_superuser or actor.pk == target.pk or not is_privileged_user(target)


def can_change_groups(actor: AbstractBaseUser, target: AbstractBaseUser, added, removed) -> str:
    """Why ``actor`` may not add ``added`` / remove ``removed`` groups of ``target``, or "" if they may."""
    if target.pk is not None and actor.pk == target.pk and (added or removed):
        return str(ERR_OWN_GROUPS)
    if actor.is_superuser:
        return ""
    changed = {group.pk for group in [*added, *removed]}
    refused = privileged_groups().filter(pk__in=changed).order_by("name")
    if refused:
        return str(ERR_PRIVILEGED_GROUP % {"groups": ", ".join(role_label(g.name) for g in refused)})
    return ""
