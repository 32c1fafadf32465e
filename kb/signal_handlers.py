from django.dispatch import receiver
from wagtail.signals import page_published

from kb.models import ProcedurePage
from kb.services import version_record_publish


@receiver(page_published, sender=ProcedurePage, dispatch_uid="kb_record_procedure_version")
def record_procedure_version(sender, instance, revision, **kwargs):
    if not kwargs.get("alias"):
        version_record_publish(instance, revision)
