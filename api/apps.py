from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only HR API (layer 4, beside dashboards: it reads through dashboards' selectors)."""

    name = "api"
    verbose_name = _("HR API")
