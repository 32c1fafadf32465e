from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from assignments.services import target_materialise
from core.urls import absolute_url
from kb.models import AcknowledgedPage, ProcedurePage, RegulationIndexPage, RegulationUpdatePage
from kb.selectors import audience_staff, in_force_by_page, owed_acknowledgements
from kb.services import acknowledge, version_record_publish
from kb.signals import regulation_published
from notifications.services import notify
from people.roles import sync_roles
from quizzes.signals import attempt_graded


@receiver(page_published, sender=ProcedurePage, dispatch_uid="kb_record_procedure_version")
@receiver(page_published, sender=RegulationUpdatePage, dispatch_uid="kb_record_regulation_version")
def record_version(sender, instance, revision, **kwargs):
    if not kwargs.get("alias"):
        version_record_publish(instance, revision, user=getattr(revision, "published_by_user", None))
        target_materialise(instance)  # who owes the version in force now: the obligation table
        if isinstance(instance, RegulationUpdatePage):  # updates it replaces ask nothing new of its audience
            for replaced in RegulationUpdatePage.objects.live().filter(superseded_by_id=instance.pk):
                target_materialise(replaced)


@receiver(page_unpublished, sender=ProcedurePage, dispatch_uid="kb_unpublish_procedure_obligations")
@receiver(page_unpublished, sender=RegulationUpdatePage, dispatch_uid="kb_unpublish_regulation_obligations")
def withdraw_unpublished(sender, instance, **kwargs):
    """An unpublished page owes nothing: open obligations are withdrawn (their history stays)."""
    target_materialise(instance)


@receiver(post_save, sender=RegulationIndexPage, dispatch_uid="kb_regulation_section_permissions")
def grant_regulation_section_permissions(sender, instance, created, raw=False, **kwargs):
    """Compliance officers publish in the regulation feed (people/roles.py section permissions)."""
    if created and not raw:
        sync_roles()


@receiver(regulation_published, dispatch_uid="notify_regulation_published")
def notify_regulation_audience(sender, page, version, **kwargs) -> None:
    """A new regulation update, or a material change to one: tell everyone who must read it, each with their
    own due date (``kb.selectors.acknowledgement_due``: a later joiner's is later). Nobody who no longer owes
    it (repealed, or replaced for them) is told."""
    if not version.is_material:
        return
    page = type(page).objects.prefetch_related(*page.audience_fields.prefetch).get(pk=page.pk)
    by_due: dict = {}
    for row in owed_acknowledgements(audience_staff(page), [page]):
        if row.version.pk == version.pk:
            by_due.setdefault(row.due_date, []).append(row.person.user)
    url = absolute_url(page.get_full_url())
    for due, users in sorted(by_due.items()):
        with override("zh-hant"):
            title = _("New regulation update to read: %(title)s") % {"title": page.title}
            body = _(
                "%(issuer)s %(number)s, effective %(effective)s. Please read and acknowledge it by %(due)s."
            ) % {
                "issuer": page.issuer.name,
                "number": page.document_number,
                "effective": page.effective_date.isoformat(),
                "due": due.isoformat(),
            }
        notify(users, title=title, body=body, url=url)


@receiver(attempt_graded, dispatch_uid="kb_acknowledge_on_comprehension_pass")
def acknowledge_on_comprehension_pass(sender, attempt, **kwargs) -> None:
    """A pass of a page's comprehension check, taken for that page, acknowledges its version in force — in the
    grading transaction, so the attempt and the acknowledgement are recorded together or not at all."""
    if not attempt.passed or not attempt.for_page_id:
        return
    page = Page.objects.filter(pk=attempt.for_page_id).specific().first()
    if not isinstance(page, AcknowledgedPage) or page.comprehension_quiz_id != attempt.quiz_id:
        return
    version = in_force_by_page([page.pk]).get(page.pk)
    if version is not None:
        acknowledge(user=attempt.user, page=page, version_number=version.number, at=attempt.submitted_at)
