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
    # Extra page permissions on the live pages of a type ("app_label.ModelName"), e.g. a section's index page
    section_permissions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    collection_permissions: tuple[str, ...] = ()  # documents/images permissions on the root collection
    description: str = field(default="", compare=False)


STAFF = "Staff"
SUPERVISOR = "Supervisor"
CONTENT_EDITOR = "Content editor"
COMPLIANCE_OFFICER = "Compliance officer"
TRAINING_ADMIN = "Training admin"
AUDITOR = "Auditor"
HR = "HR"

_MEDIA_WRITE = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
)

_QUIZ_VIEW = (
    "quizzes.view_questioncategory",
    "quizzes.view_question",
    "quizzes.view_quiz",
)
_QUIZ_WRITE = (
    *_QUIZ_VIEW,
    "quizzes.add_questioncategory",
    "quizzes.change_questioncategory",
    "quizzes.delete_questioncategory",
    "quizzes.add_question",
    "quizzes.change_question",
    "quizzes.delete_question",
    "quizzes.import_questions",
    "quizzes.add_quiz",
    "quizzes.change_quiz",
    "quizzes.delete_quiz",
    "quizzes.view_results",
    "quizzes.view_attempt",
)

_ASSIGNMENTS_VIEW = ("assignments.view_assignmentrule", "assignments.view_obligation")
_ASSIGNMENTS_WRITE = (
    *_ASSIGNMENTS_VIEW,
    "assignments.add_assignmentrule",
    "assignments.change_assignmentrule",
    "assignments.delete_assignmentrule",
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
        permissions=("wagtailadmin.access_admin", "quizzes.view_quiz"),
        page_permissions=("add_page", "change_page"),
        collection_permissions=_MEDIA_WRITE,
        description=_("Writes and submits content for approval; cannot publish alone."),
    ),
    Role(
        COMPLIANCE_OFFICER,
        _("Compliance officer"),
        permissions=(
            "wagtailadmin.access_admin",
            "people.view_all_staff",
            "ledger.view_record",
            "kb.add_issuer",
            "kb.change_issuer",
            "kb.view_issuer",
            "kb.add_procedurereview",  # record "reviewed, no change" on any procedure, not only their own
            "kb.view_procedurereview",
            "quizzes.view_quiz",
        ),
        # No publish permission on the site: procedures go live when a compliance officer approves someone
        # else's submission. Regulation updates are theirs to publish: identifying a new rule is their job.
        page_permissions=("add_page", "change_page"),
        section_permissions=(("kb.RegulationIndexPage", ("publish_page",)),),
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
            *_QUIZ_WRITE,
            *_ASSIGNMENTS_WRITE,
        ),
        description=_("Manages staff, the org chart, training assignments and the quiz bank."),
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
            "kb.view_issuer",
            "kb.view_procedurereview",  # the due-for-review report
            "kb.view_publishedversion",  # every page's history, revisions and approvals, read-only
            *_QUIZ_VIEW,
            "quizzes.view_results",
            "quizzes.view_attempt",
            *_ASSIGNMENTS_VIEW,
        ),
        description=_("Reads everything, changes nothing."),
    ),
    Role(
        HR,
        _("HR"),
        permissions=(
            "wagtailadmin.access_admin",
            "people.view_staffprofile",
            "people.view_department",
            "people.view_position",
            "people.view_all_staff",
            "ledger.view_record",
            "quizzes.view_results",
            "quizzes.view_attempt",
        ),
        description=_(
            "Reads every person's training records, team pages and appraisal reports; changes nothing."
        ),
    ),
)


def sync_roles(*, group_model=None, permission_model=None, with_sections: bool = True) -> None:
    """Create each role's group and set its permissions to exactly what ``ROLES`` says.

    ``with_sections=False`` skips section page permissions (for migrations that run before those pages' apps).
    """
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

    from django.apps import apps

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role.name)
        group.permissions.set([perm(p) for p in role.permissions])
        wanted = {(root_page.pk, codename) for codename in role.page_permissions}
        for page_type, codenames in role.section_permissions if with_sections else ():
            for page_id in apps.get_model(page_type).objects.values_list("pk", flat=True):
                wanted |= {(page_id, codename) for codename in codenames}
        existing = GroupPagePermission.objects.filter(group=group).select_related("permission")
        for grant in existing:
            if (grant.page_id, grant.permission.codename) not in wanted:
                grant.delete()
        for page_id, codename in wanted:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=page_id, permission=perm(f"wagtailcore.{codename}")
            )
        GroupCollectionPermission.objects.filter(group=group, collection=root_collection).delete()
        for dotted in role.collection_permissions:
            GroupCollectionPermission.objects.create(
                group=group, collection=root_collection, permission=perm(dotted)
            )


def role_label(name: str) -> str:
    """The translated label of a role's group name (other groups keep their name)."""
    for role in ROLES:
        if role.name == name:
            return str(role.label)
    return name
