"""Materialise at once: a person's change (in its transaction), a rule's save (when it commits: a form writes
the rule before its many-to-many audience, and recomputing in between would withdraw and re-create)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from people.models import StaffProfile
from people.signals import staff_changed, staff_changed_many

from .models import AssignmentRule
from .services import audience_materialise, person_changed, rules_materialise


@receiver(staff_changed, dispatch_uid="assignments_person_changed")
def on_staff_changed(sender, profile, created=False, **kwargs) -> None:
    person_changed(profile)


BULK_RESYNC_FROM = 50  # past this many people, one full recompute is cheaper than one per person


def _people_changed(profile_ids: list[int]) -> None:
    if len(profile_ids) >= BULK_RESYNC_FROM:
        rules_materialise()
        audience_materialise()
        return
    for profile in StaffProfile.objects.filter(pk__in=profile_ids):
        person_changed(profile)


@receiver(staff_changed_many, dispatch_uid="assignments_people_changed")
def on_staff_changed_many(sender, profile_ids, **kwargs) -> None:
    """An HR import: right after it commits, each person's obligations, or one full re-sync for a large file.
    The import's write transaction stays a few statements; if the process stopped in between, the next daily
    run catches up."""
    ids = list(profile_ids)
    transaction.on_commit(lambda: _people_changed(ids))


def _materialise_on_commit(rule_id: int) -> None:
    def run() -> None:
        rule = AssignmentRule.objects.filter(pk=rule_id).first()
        if rule is not None:
            rules_materialise(rule)

    transaction.on_commit(run)


@receiver(post_save, sender=AssignmentRule, dispatch_uid="assignments_rule_saved")
def on_rule_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _materialise_on_commit(instance.pk)


def on_rule_audience_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, AssignmentRule):
        _materialise_on_commit(instance.pk)


for _field in ("audience_departments", "audience_positions", "audience_groups", "audience_people"):
    m2m_changed.connect(
        on_rule_audience_changed,
        sender=getattr(AssignmentRule, _field).through,
        dispatch_uid=f"assignments_rule_{_field}",
    )
