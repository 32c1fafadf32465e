from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from ledger import derived

        from . import signal_handlers, views  # noqa: F401  (views registers the pages' views)
        from .ledger_checks import acknowledgement_mismatches
        from .obligations import register_targets

        register_targets()

        derived.register("kb.acknowledgement", acknowledgement_mismatches)
