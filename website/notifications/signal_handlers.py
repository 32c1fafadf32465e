from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import override

from kb.selectors import audience_staff
from kb.signals import regulation_published

from .services import notify


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
