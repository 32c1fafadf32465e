"""sync_roles() makes page, section and collection permissions match people/roles.py exactly.

Written for the survivors of mutation testing (docs/testing.md): a grant someone ticked in the admin goes,
compliance officers publish in each regulation feed and nowhere else, every role keeps its media rights.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from people import roles
from people.roles import COMPLIANCE_OFFICER, CONTENT_EDITOR, ROLES, Role, role_label, sync_roles

pytestmark = pytest.mark.django_db


def page_grants(group_name: str) -> set[tuple[int, str]]:
    return set(
        GroupPagePermission.objects.filter(group__name=group_name).values_list(
            "page_id", "permission__codename"
        )
    )


def collection_grants(group_name: str) -> set[tuple[int, str]]:
    return {
        (grant.collection_id, f"{grant.permission.content_type.app_label}.{grant.permission.codename}")
        for grant in GroupCollectionPermission.objects.filter(group__name=group_name).select_related(
            "permission__content_type"
        )
    }


def expected_page_grants(role: Role, sections: dict[str, list[int]]) -> set[tuple[int, str]]:
    root = Page.get_first_root_node().pk
    wanted = {(root, codename) for codename in role.page_permissions}
    for page_type, codenames in role.section_permissions:
        wanted |= {(page_id, codename) for page_id in sections.get(page_type, []) for codename in codenames}
    return wanted


def test_every_role_has_exactly_its_page_section_and_collection_grants(feed_index):
    """feed_index is a RegulationIndexPage: creating it syncs the roles (kb.signal_handlers)."""
    sync_roles()
    sections = {"kb.RegulationIndexPage": [feed_index.pk]}
    root_collection = Collection.get_first_root_node().pk
    for role in ROLES:
        assert page_grants(role.name) == expected_page_grants(role, sections), role.name
        assert collection_grants(role.name) == {(root_collection, p) for p in role.collection_permissions}
    assert (feed_index.pk, "publish_page") in page_grants(COMPLIANCE_OFFICER)
    assert collection_grants(CONTENT_EDITOR)  # media rights survive the other roles' turns


def test_a_grant_ticked_by_hand_is_removed_and_the_role_grants_stay(feed_index):
    editor = Group.objects.get(name=CONTENT_EDITOR)
    root = Page.get_first_root_node()
    GroupPagePermission.objects.create(
        group=editor, page=root, permission=Permission.objects.get(codename="publish_page")
    )
    GroupPagePermission.objects.create(
        group=editor, page=feed_index, permission=Permission.objects.get(codename="publish_page")
    )
    sync_roles()
    assert page_grants(CONTENT_EDITOR) == {(root.pk, "add_page"), (root.pk, "change_page")}
    assert (feed_index.pk, "publish_page") in page_grants(COMPLIANCE_OFFICER)


def test_without_sections_no_section_grant_is_written(feed_index):
    GroupPagePermission.objects.filter(page=feed_index).delete()
    sync_roles(with_sections=False)
    assert not GroupPagePermission.objects.filter(page=feed_index).exists()
    sync_roles()
    assert GroupPagePermission.objects.filter(page=feed_index, group__name=COMPLIANCE_OFFICER).exists()


def test_an_unknown_permission_in_roles_py_is_named(monkeypatch):
    monkeypatch.setattr(roles, "ROLES", (Role("Broken", "Broken", permissions=("kb.fly_to_the_moon",)),))
    with pytest.raises(LookupError, match=r"kb\.fly_to_the_moon"):
        sync_roles()


def test_role_labels_are_translated_and_other_groups_keep_their_name():
    with translation.override("zh-hant"):
        assert role_label(CONTENT_EDITOR) == str(next(r.label for r in ROLES if r.name == CONTENT_EDITOR))
        assert role_label(CONTENT_EDITOR) != CONTENT_EDITOR  # a Chinese label, not the group's name
    assert role_label("分行特別小組") == "分行特別小組"
