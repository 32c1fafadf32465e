"""Roles are Django groups whose permissions are defined here, in code, and documented in docs/roles/.

``sync_roles()`` makes the database match this file; data migrations call it whenever a feature adds
permissions, so a deployment never depends on someone ticking boxes in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    name: str  # the group's name in the database (stable; English)
    label: str  # shown to people
    permissions: tuple[str, ...] = ()  # "app_label.codename"
    page_permissions: tuple[str, ...] = ()  # Wagtail page permissions on the site root
    collection_permissions: tuple[str, ...] = ()  # documents/images permissions on the root collection
    description: str = field(default="", compare=False)


STAFF = "Staff"
SUPERVISOR = "Supervisor"
CONTENT_EDITOR = "Content editor"
COMPLIANCE_OFFICER = "Compliance officer"
TRAINING_ADMIN = "Training admin"
AUDITOR = "Auditor"

_MEDIA_WRITE = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
)

ROLES: tuple[Role, ...] = (
    Role(STAFF, _("Staff"), description=_("Reads content, acknowledges, takes training.")),
    Role(
        SUPERVISOR,
        _("Supervisor"),
        permissions=("people.view_team",),
        description=_("Sees their direct and indirect reports and their progress."),
    ),
    Role(
        CONTENT_EDITOR,
        _("Content editor"),
        permissions=("wagtailadmin.access_admin",),
        page_permissions=("add_page", "change_page"),
        collection_permissions=_MEDIA_WRITE,
        description=_("Writes and submits content for approval; cannot publish alone."),
    ),
    Role(
        COMPLIANCE_OFFICER,
        _("Compliance officer"),
        permissions=("wagtailadmin.access_admin", "people.view_all_staff", "ledger.view_record"),
        # No publish permission: content goes live when a compliance officer approves someone else's submission.
        page_permissions=("add_page", "change_page"),
        collection_permissions=_MEDIA_WRITE,
        description=_("Approves content others submit; follows regulation updates and evidence."),
    ),
    Role(
        TRAINING_ADMIN,
        _("Training admin"),
        permissions=(
            "wagtailadmin.access_admin",
            "people.add_staffprofile",
            "people.change_staffprofile",
            "people.view_staffprofile",
            "people.add_department",
            "people.change_department",
            "people.view_department",
            "people.add_position",
            "people.change_position",
            "people.view_position",
            "people.import_staff",
            "people.view_all_staff",
            "ledger.view_record",
            "auth.add_user",
            "auth.change_user",
            "auth.view_user",
        ),
        description=_("Manages staff, the org chart and training assignments."),
    ),
    Role(
        AUDITOR,
        _("Auditor"),
        permissions=(
            "wagtailadmin.access_admin",
            "people.view_staffprofile",
            "people.view_department",
            "people.view_position",
            "people.view_all_staff",
            "ledger.view_record",
        ),
        description=_("Reads everything, changes nothing."),
    ),
)

ROLE_BY_NAME = {role.name: role for role in ROLES}


def sync_roles(*, group_model=None, permission_model=None) -> None:
    """Create each role's group and set its permissions to exactly what ``ROLES`` says."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    group_model = group_model or Group
    permission_model = permission_model or Permission

    def perm(dotted: str):
        app_label, codename = dotted.split(".")
        try:
            return permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        except permission_model.DoesNotExist as exc:
            raise LookupError(f"Role permission {dotted} does not exist") from exc

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role.name)
        group.permissions.set([perm(p) for p in role.permissions])
        GroupPagePermission.objects.filter(group=group, page=root_page).exclude(
            permission__codename__in=role.page_permissions
        ).delete()
        for codename in role.page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=perm(f"wagtailcore.{codename}")
            )
        GroupCollectionPermission.objects.filter(group=group, collection=root_collection).delete()
        for dotted in role.collection_permissions:
            GroupCollectionPermission.objects.create(
                group=group, collection=root_collection, permission=perm(dotted)
            )
