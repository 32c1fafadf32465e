from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def refuse_record_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Django's deletion collector (e.g. ``models.QuerySet.delete(Record.objects.all())``) stops here."""
    from .maintenance import in_maintenance
    from .models import LedgerImmutableError

    if not in_maintenance():
        raise LedgerImmutableError(f"Ledger record #{instance.seq} cannot be deleted.")


class LedgerConfig(AppConfig):
    name = "ledger"
    label = "ledger"
    verbose_name = _("Record ledger")

    def ready(self) -> None:
        pre_delete.connect(refuse_record_delete, sender="ledger.Record", dispatch_uid="ledger_refuse_delete")
