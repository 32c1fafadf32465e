from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.signals import page_published

from kb.models import ProcedurePage, RegulationIndexPage, RegulationUpdatePage
from kb.selectors import audience_staff
from kb.services import version_record_publish
from kb.signals import regulation_published
from notifications.services import notify
from people.roles import sync_roles


@receiver(page_published, sender=ProcedurePage, dispatch_uid="kb_record_procedure_version")
@receiver(page_published, sender=RegulationUpdatePage, dispatch_uid="kb_record_regulation_version")
def record_version(sender, instance, revision, **kwargs):
    if not kwargs.get("alias"):
        version_record_publish(instance, revision)


@receiver(post_save, sender=RegulationIndexPage, dispatch_uid="kb_regulation_section_permissions")
def grant_regulation_section_permissions(sender, instance, created, raw=False, **kwargs):
    """Compliance officers publish in the regulation feed (people/roles.py section permissions)."""
    if created and not raw:
        sync_roles()


@receiver(regulation_published, dispatch_uid="notify_regulation_published")
def notify_regulation_audience(sender, page, version, **kwargs) -> None:
    """A new regulation update, or a material change to one: tell everyone who must read it."""
    if not version.is_material:
        return
    version.refresh_from_db()  # sent after commit: read the version as committed
    with override("zh-hant"):
        due = version.ack_due(page.ack_due_days)
        title = _("New regulation update to read: %(title)s") % {"title": page.title}
        body = _(
            "%(issuer)s %(number)s, effective %(effective)s. Please read and acknowledge it by %(due)s."
        ) % {
            "issuer": page.issuer.name,
            "number": page.document_number,
            "effective": page.effective_date.isoformat(),
            "due": due.isoformat(),
        }
    users = [person.user for person in audience_staff(page)]
    notify(users, title=title, body=body, url=page.get_full_url())
