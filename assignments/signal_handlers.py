"""Materialise at once: a person's change, a rule's save and each change of its many-to-many audience."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from people.signals import staff_changed

from .models import AssignmentRule
from .services import person_changed, rules_materialise


@receiver(staff_changed, dispatch_uid="assignments_person_changed")
def on_staff_changed(sender, profile, created=False, **kwargs) -> None:
    person_changed(profile)


@receiver(post_save, sender=AssignmentRule, dispatch_uid="assignments_rule_saved")
def on_rule_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        rules_materialise(instance)


def on_rule_audience_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    """A form saves the rule before its many-to-many audience: recompute after each list is written."""
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, AssignmentRule):
        rules_materialise(instance)


for _field in ("audience_departments", "audience_positions", "audience_groups", "audience_people"):
    m2m_changed.connect(
        on_rule_audience_changed,
        sender=getattr(AssignmentRule, _field).through,
        dispatch_uid=f"assignments_rule_{_field}",
    )
