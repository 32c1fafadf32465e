from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from kb.models import ProcedurePage, RegulationIndexPage, RegulationUpdatePage
from kb.services import version_record_publish


@receiver(page_published, sender=ProcedurePage, dispatch_uid="kb_record_procedure_version")
@receiver(page_published, sender=RegulationUpdatePage, dispatch_uid="kb_record_regulation_version")
def record_version(sender, instance, revision, **kwargs):
    if not kwargs.get("alias"):
        version_record_publish(instance, revision)


@receiver(post_save, sender=RegulationIndexPage, dispatch_uid="kb_regulation_section_permissions")
def grant_regulation_section_permissions(sender, instance, created, raw=False, **kwargs):
    """Compliance officers publish in the regulation feed (website/people/roles.py section permissions)."""
    if created and not raw:
        from website.people.roles import sync_roles

        sync_roles()
