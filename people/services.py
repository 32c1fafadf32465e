"""Writes to the org chart. Every supervisor change goes through ``org_move`` (cycle check + closure rows)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .models import FeedToken, OrgPath, StaffProfile
from .signals import staff_changed


class OrgCycleError(ValueError):
    """Raised when a supervisor change would make someone their own (indirect) supervisor."""


def org_check_move(*, node_id: int, new_supervisor_id: int | None) -> None:
    """Refuse a supervisor that is the person themselves or one of their reports."""
    if new_supervisor_id is None:
        return
    if (
        new_supervisor_id == node_id
        or OrgPath.objects.filter(ancestor_id=node_id, descendant_id=new_supervisor_id).exists()
    ):
        raise OrgCycleError(_("A person cannot report to themselves or to one of their own reports."))


@transaction.atomic
def org_insert(profile: StaffProfile) -> None:
    """Add closure rows for a profile that has none yet (a leaf under its supervisor)."""
    rows = [OrgPath(ancestor_id=profile.pk, descendant_id=profile.pk, depth=0)]
    if profile.supervisor_id:
        rows += [
            OrgPath(ancestor_id=anc_id, descendant_id=profile.pk, depth=depth + 1)
            for anc_id, depth in OrgPath.objects.filter(descendant_id=profile.supervisor_id).values_list(
                "ancestor_id", "depth"
            )
        ]
    OrgPath.objects.bulk_create(rows)


@transaction.atomic
def org_move(profile: StaffProfile, new_supervisor: StaffProfile | None) -> None:
    """Set ``profile``'s supervisor and re-hang its whole subtree, in one transaction."""
    new_id = new_supervisor.pk if new_supervisor else None
    org_check_move(node_id=profile.pk, new_supervisor_id=new_id)
    StaffProfile.objects.filter(pk=profile.pk).update(supervisor_id=new_id)
    profile.supervisor_id = new_id
    _org_rehang(profile.pk, new_id)
    staff_changed.send(sender=StaffProfile, profile=profile, created=False)


def _org_rehang(node_id: int, new_supervisor_id: int | None) -> None:
    subtree = list(OrgPath.objects.filter(ancestor_id=node_id).values_list("descendant_id", "depth"))
    subtree_ids = [d for d, _depth in subtree]
    OrgPath.objects.filter(descendant_id__in=subtree_ids).exclude(ancestor_id__in=subtree_ids).delete()
    if new_supervisor_id is None:
        return
    above = list(OrgPath.objects.filter(descendant_id=new_supervisor_id).values_list("ancestor_id", "depth"))
    OrgPath.objects.bulk_create(
        [
            OrgPath(ancestor_id=anc_id, descendant_id=desc_id, depth=up + down + 1)
            for anc_id, up in above
            for desc_id, down in subtree
        ],
        batch_size=2000,
    )


def org_sync(profile: StaffProfile) -> None:
    """Bring the closure rows in line with ``profile.supervisor_id`` after a plain ``save()``."""
    current_parent = (
        OrgPath.objects.filter(descendant_id=profile.pk, depth=1)
        .values_list("ancestor_id", flat=True)
        .first()
    )
    has_self_row = OrgPath.objects.filter(ancestor_id=profile.pk, descendant_id=profile.pk).exists()
    if not has_self_row:
        org_insert(profile)
    elif current_parent != profile.supervisor_id:
        with transaction.atomic():
            org_check_move(node_id=profile.pk, new_supervisor_id=profile.supervisor_id)
            _org_rehang(profile.pk, profile.supervisor_id)


def org_sync_many(profile_ids: Iterable[int], *, batch_size: int = 500) -> int:
    """Closure rows for many profiles at once (bulk imports): ``profile_ids`` are new or moved profiles;
    their rows and those of everyone below them are re-derived from the supervisor column in a few bulk
    statements. Call inside the transaction that changed the supervisors. Returns rows written."""
    changed = set(profile_ids)
    if not changed:
        return 0
    parent = dict(StaffProfile.objects.values_list("pk", "supervisor_id"))
    ids = sorted(changed)
    affected = set(changed)
    for start in range(0, len(ids), batch_size):
        affected.update(
            OrgPath.objects.filter(ancestor_id__in=ids[start : start + batch_size]).values_list(
                "descendant_id", flat=True
            )
        )
    affected = sorted(affected)
    for start in range(0, len(affected), batch_size):
        OrgPath.objects.filter(descendant_id__in=affected[start : start + batch_size]).delete()
    rows = []
    for node in affected:
        depth, current, seen = 0, node, set()
        while current is not None:
            if current in seen:
                raise OrgCycleError(_("The supervisor chain of staff id %(id)s loops.") % {"id": node})
            seen.add(current)
            rows.append((current, node, depth))
            current, depth = parent.get(current), depth + 1
    table = connection.ops.quote_name(OrgPath._meta.db_table)
    with connection.cursor() as cursor:  # plain tuples: model instances cost more than the insert
        cursor.executemany(
            f"INSERT INTO {table} (ancestor_id, descendant_id, depth) VALUES (%s, %s, %s)", rows
        )
    return len(rows)


@transaction.atomic
def org_rebuild() -> int:
    """Rebuild the whole closure table from the supervisor column (repair tool); returns rows written."""
    parent = dict(StaffProfile.objects.values_list("pk", "supervisor_id"))
    OrgPath.objects.all().delete()
    rows = []
    for node in parent:
        depth, current, seen = 0, node, set()
        while current is not None:
            if current in seen:
                raise OrgCycleError(_("The supervisor chain of staff id %(id)s loops.") % {"id": node})
            seen.add(current)
            rows.append(OrgPath(ancestor_id=current, descendant_id=node, depth=depth))
            current, depth = parent.get(current), depth + 1
    OrgPath.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def staff_set_active(profile: StaffProfile, *, active: bool) -> None:
    """Deactivate (or reactivate) a person; ``save()`` disables their login too. Their records stay."""
    profile.is_active = active
    profile.save(update_fields=["is_active", "updated_at"])


def feed_token_for(user) -> str:
    """The user's private feed token, created on first use."""
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return token.token


@transaction.atomic
def feed_token_regenerate(user) -> str:
    """Replace the token: feed addresses with the old one answer 404 from now on."""
    FeedToken.objects.filter(user=user).delete()
    return FeedToken.objects.create(user=user, token=secrets.token_urlsafe(32)).token


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe gives


def feed_token_user(token: str):
    """The active user a token belongs to, or None for an unknown, revoked or malformed token."""
    if not token or not _TOKEN.fullmatch(token):  # e.g. a NUL byte, which PostgreSQL refuses outright
        return None
    found = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return found.user if found else None
