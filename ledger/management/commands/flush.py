"""manage.py flush, which the ledger's triggers refuse unless ``LEDGER_FLUSH_ALLOWED`` (the test settings).

Django's TransactionTestCase (pytest-django's ``transactional_db``, the live-server browser tests) empties
every table with this command between tests; there it runs in ledger maintenance mode. On a real database the
setting is off, so the triggers refuse the DELETE/TRUNCATE of ``ledger_record`` and nothing is flushed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush

from ledger.maintenance import ledger_maintenance


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not getattr(settings, "LEDGER_FLUSH_ALLOWED", False):
            return super().handle(**options)
        with ledger_maintenance(options["database"]):
            return super().handle(**options)
