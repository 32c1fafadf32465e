"""The supervisor tree: closure rows, subtree queries, moves, cycles, deactivation."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from people.models import FeedToken, OrgPath, StaffProfile
from people.selectors import can_view_profile, reporting_line, team_of
from people.services import (
    OrgCycleError,
    feed_token_for,
    feed_token_regenerate,
    feed_token_user,
    org_move,
    org_rebuild,
    staff_set_active,
)
from tests.factories import DepartmentFactory, PositionFactory


@pytest.fixture
def chain(make_staff):
    """A chain of seven: level0 → level1 → … → level6 (depth 6 below the top)."""
    people = [make_staff("level0")]
    for n in range(1, 7):
        people.append(make_staff(f"level{n}", supervisor=people[-1]))
    return people


def usernames(qs):
    return sorted(p.user.username for p in qs)


def test_subtree_at_depth_six_is_one_query(chain, django_assert_num_queries):
    top = chain[0]
    with django_assert_num_queries(1):
        team = list(team_of(top))
    assert [p.user.username for p in team] == [f"level{n}" for n in range(1, 7)]
    assert [p.level for p in team] == [1, 2, 3, 4, 5, 6]


def test_reporting_line_is_top_first(chain, django_assert_num_queries):
    with django_assert_num_queries(1):
        line = reporting_line(chain[4])
    assert [p.user.username for p in line] == ["level0", "level1", "level2", "level3"]


def test_move_rehangs_whole_subtree(chain, make_staff):
    other = make_staff("other_boss")
    org_move(chain[3], other)  # level3..level6 now under other_boss
    assert usernames(team_of(other)) == ["level3", "level4", "level5", "level6"]
    assert usernames(team_of(chain[0])) == ["level1", "level2"]
    chain[6].refresh_from_db()
    assert [p.user.username for p in reporting_line(chain[6])] == ["other_boss", "level3", "level4", "level5"]


def test_move_to_own_report_is_refused_and_changes_nothing(chain):
    before = set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))
    with pytest.raises(OrgCycleError):
        org_move(chain[1], chain[5])
    with pytest.raises(OrgCycleError):
        org_move(chain[1], chain[1])
    assert set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth")) == before
    chain[1].refresh_from_db()
    assert chain[1].supervisor_id == chain[0].pk


def test_plain_save_that_makes_a_cycle_rolls_back(chain):
    top = StaffProfile.objects.get(pk=chain[0].pk)
    top.supervisor = chain[3]
    with pytest.raises(OrgCycleError):
        top.save()
    top.refresh_from_db()
    assert top.supervisor_id is None


def test_model_clean_names_the_supervisor_field(chain):
    top = StaffProfile.objects.get(pk=chain[0].pk)
    top.supervisor = chain[2]
    with pytest.raises(ValidationError) as excinfo:
        top.full_clean()
    assert "supervisor" in excinfo.value.message_dict


def test_supervisor_sees_only_own_subtree(make_staff):
    boss_a = make_staff("boss_a", groups=["Supervisor"])
    boss_b = make_staff("boss_b", groups=["Supervisor"])
    a1 = make_staff("a1", supervisor=boss_a)
    b1 = make_staff("b1", supervisor=boss_b)
    everyone = [boss_a, boss_b, a1, b1]
    assert [p for p in everyone if can_view_profile(boss_a.user, p)] == [boss_a, a1]
    assert [p for p in everyone if can_view_profile(boss_b.user, p)] == [boss_b, b1]


def test_org_wide_roles_see_everyone(make_staff):
    others = [make_staff("x"), make_staff("y")]
    auditor = make_staff("aud", groups=["Auditor"])
    assert all(can_view_profile(auditor.user, p) for p in others)
    assert not any(can_view_profile(others[0].user, p) for p in [others[1], auditor])


def test_deactivation_keeps_profile_and_tree(chain):
    staff_set_active(chain[2], active=False)
    chain[2].refresh_from_db()
    assert chain[2].is_active is False
    assert get_user_model().objects.get(pk=chain[2].user_id).is_active is False
    assert "level2" not in usernames(team_of(chain[0]))
    assert "level2" in usernames(team_of(chain[0], include_inactive=True))
    assert StaffProfile.objects.filter(pk=chain[2].pk).exists()


def test_rebuild_matches_incremental_rows(chain, make_staff):
    org_move(chain[4], make_staff("side"))
    incremental = set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))
    org_rebuild()
    assert set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth")) == incremental


PARENTS_5000 = (
    [None]
    + [0] * 10
    + [1 + n % 10 for n in range(100)]
    + [11 + n % 100 for n in range(1000)]
    + [111 + n % 1000 for n in range(3889)]
)


def subtree_size(index: int) -> int:
    """Reference answer by walking the parent list in Python."""
    children: dict[int, list[int]] = {}
    for child, parent in enumerate(PARENTS_5000):
        children.setdefault(parent, []).append(child)
    stack, size = list(children.get(index, [])), 0
    while stack:
        node = stack.pop()
        size += 1
        stack.extend(children.get(node, []))
    return size


@pytest.fixture(scope="module")
def org_5000(django_db_setup, django_db_blocker):
    """5,000 staff five levels deep: 1 head, 10 managers, 100 leads, 1,000 seniors, 3,889 officers.

    Built once for the module's tests inside a transaction rolled back after them (each test's own
    transaction is a savepoint inside it, so a test that moves people leaves the next one the same org)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        profiles = _build_org_5000()
        yield profiles
        transaction.set_rollback(True)


def _build_org_5000() -> list[StaffProfile]:
    User = get_user_model()
    dept, pos = DepartmentFactory(), PositionFactory()
    users = User.objects.bulk_create([User(username=f"u{n:05d}") for n in range(5000)])
    profiles = StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=u,
                employee_number=f"N{n:05d}",
                display_name=f"員工{n}",
                department=dept,
                position=pos,
                hire_date=datetime.date(2020, 1, 1),
            )
            for n, u in enumerate(users)
        ]
    )
    for profile, parent in zip(profiles, PARENTS_5000, strict=True):
        profile.supervisor_id = profiles[parent].pk if parent is not None else None
    StaffProfile.objects.bulk_update(profiles, ["supervisor"], batch_size=1000)
    org_rebuild()
    return profiles


@pytest.mark.parametrize("index", [0, 1, 11, 111, 4999])
def test_5000_staff_subtree_is_one_query_at_every_level(db, org_5000, index, django_assert_num_queries):
    with django_assert_num_queries(1):
        team = list(team_of(org_5000[index]).values_list("pk", flat=True))
    assert len(team) == subtree_size(index)
    assert subtree_size(0) == 4999 and subtree_size(1) == 499 and subtree_size(11) == 49


def test_5000_staff_move_matches_a_full_rebuild(db, org_5000):
    head, lead_a, lead_b = org_5000[0], org_5000[11], org_5000[12]
    size_a, size_b = team_of(lead_a).count(), team_of(lead_b).count()
    org_move(lead_a, lead_b)
    assert team_of(lead_b).count() == size_b + size_a + 1
    assert team_of(head).count() == 4999
    moved = set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))
    org_rebuild()
    assert set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth")) == moved


# --- Edges found by mutation testing ---


def closure_rows() -> set[tuple[int, int, int]]:
    return set(OrgPath.objects.values_list("ancestor_id", "descendant_id", "depth"))


def test_the_cycle_refusal_message_in_full(chain):
    """What HR sees in the staff form (Traditional Chinese, the site's language)."""
    with pytest.raises(OrgCycleError) as excinfo:
        org_move(chain[1], chain[5])
    assert str(excinfo.value) == "員工不可向自己或自己的下屬匯報。"
    top = StaffProfile.objects.get(pk=chain[0].pk)
    top.supervisor = chain[2]
    with pytest.raises(ValidationError) as excinfo:
        top.full_clean()
    assert excinfo.value.message_dict["supervisor"] == ["員工不可向自己或自己的下屬匯報。"]


def test_a_plain_save_that_changes_the_supervisor_rehangs_the_subtree(chain, make_staff):
    """The admin form and the HR screen save the profile; the tree must follow as with ``org_move``."""
    other = make_staff("other_boss")
    moved = StaffProfile.objects.get(pk=chain[3].pk)
    moved.supervisor = other
    moved.save()
    assert usernames(team_of(other)) == ["level3", "level4", "level5", "level6"]
    assert usernames(team_of(chain[0])) == ["level1", "level2"]
    assert [p.level for p in team_of(other)] == [1, 2, 3, 4]
    incremental = closure_rows()
    org_rebuild()
    assert closure_rows() == incremental


def test_a_plain_save_to_the_top_of_the_tree_and_back(chain):
    moved = StaffProfile.objects.get(pk=chain[2].pk)
    moved.supervisor = None
    moved.save()
    assert usernames(team_of(chain[0])) == ["level1"]
    assert reporting_line(chain[6]) == [chain[2], chain[3], chain[4], chain[5]]
    moved.supervisor = chain[1]
    moved.save()
    assert [p.user.username for p in reporting_line(chain[6])] == [f"level{n}" for n in range(6)]
    incremental = closure_rows()
    org_rebuild()
    assert closure_rows() == incremental


def test_a_save_that_keeps_the_supervisor_leaves_the_closure_rows_alone(chain):
    """An edit of a name must not rewrite the rows of the person's whole subtree (for the head of a large
    branch, tens of thousands of rows deleted and written again on every save)."""
    person = StaffProfile.objects.get(pk=chain[3].pk)
    person.display_name = "新名字"
    before = set(OrgPath.objects.values_list("pk", "ancestor_id", "descendant_id", "depth"))
    person.save()
    assert set(OrgPath.objects.values_list("pk", "ancestor_id", "descendant_id", "depth")) == before


def test_reactivation_brings_the_person_and_their_login_back(chain):
    staff_set_active(chain[2], active=False)
    staff_set_active(chain[2], active=True)
    chain[2].refresh_from_db()
    assert chain[2].is_active is True
    assert get_user_model().objects.get(pk=chain[2].user_id).is_active is True
    assert "level2" in usernames(team_of(chain[0]))


def test_a_feed_token_is_the_same_until_regenerated_and_stops_for_a_deactivated_person(make_staff):
    person, colleague = make_staff("reader"), make_staff("colleague")
    token = feed_token_for(person.user)
    assert len(token) == 43 and feed_token_for(person.user) == token  # 32 random bytes, URL-safe base64
    assert feed_token_for(colleague.user) != token
    assert feed_token_user(token) == person.user
    staff_set_active(person, active=False)
    assert feed_token_user(token) is None
    staff_set_active(person, active=True)
    assert feed_token_user(token) == person.user
    new = feed_token_regenerate(person.user)
    assert new != token and feed_token_user(token) is None and feed_token_user(new) == person.user


def test_a_malformed_feed_token_finds_nobody(make_staff):
    person = make_staff("reader")
    token = feed_token_for(person.user)
    FeedToken.objects.filter(user=person.user).update(token="a" * 64)
    assert feed_token_user("a" * 64) == person.user  # the longest that is looked up
    for bad in ["", "a" * 65, "a" * 63 + "\x00", token[:-1], None]:
        assert feed_token_user(bad) is None
