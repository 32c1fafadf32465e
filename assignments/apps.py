from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    """Who must do what by when: assignment rules, the obligation table, reminders (layer 2)."""

    name = "assignments"
    label = "assignments"
    verbose_name = _("Assignments")

    def ready(self) -> None:
        from . import signal_handlers  # noqa: F401
