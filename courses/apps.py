from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from kb import hooks as kb_hooks
        from ledger import derived

        from . import obligations, signal_handlers, views  # noqa: F401  (views registers the pages' views)
        from .ledger_checks import completion_mismatches
        from .trace import trace_training

        derived.register("courses.coursecompletion", completion_mismatches)
        kb_hooks.register_trace_section(trace_training)
        obligations.register_types()
