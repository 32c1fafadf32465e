"""A person's groups decide two things beyond permissions: whether they are read-only (auditors are in no
audience, people.audience) and which group audiences they are in. When they change, ``StaffProfile.read_only``
is set again and assignments hears of it (people.signals), so obligations follow at once."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .access import read_only_sync
from .models import StaffProfile
from .signals import staff_changed, staff_changed_many

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="people_groups_changed")
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if reverse:  # group.user_set.add/remove/clear: any number of people
        if action == "pre_clear":
            instance._people_cleared = list(instance.user_set.values_list("pk", flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        user_ids = list(pk_set) if pk_set is not None else getattr(instance, "_people_cleared", [])
        read_only_sync(user_ids)
        profile_ids = list(StaffProfile.objects.filter(user_id__in=user_ids).values_list("pk", flat=True))
        if profile_ids:
            staff_changed_many.send(sender=StaffProfile, profile_ids=profile_ids)
        return
    if action in ("post_add", "post_remove", "post_clear"):  # user.groups...: one person (the user screens)
        _one_person_changed(instance.pk)


@receiver(post_save, sender=User, dispatch_uid="people_superuser_changed")
def superuser_changed(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    """A superuser is never read-only: granting or withdrawing superuser status can change it."""
    if created or raw or (update_fields is not None and "is_superuser" not in update_fields):
        return
    if read_only_sync([instance.pk]):
        _send_changed(instance.pk)


def _one_person_changed(user_id: int) -> None:
    read_only_sync([user_id])
    _send_changed(user_id)


def _send_changed(user_id: int) -> None:
    profile = StaffProfile.objects.filter(user_id=user_id).first()
    if profile is not None:
        staff_changed.send(sender=StaffProfile, profile=profile, created=False)
