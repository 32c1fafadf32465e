from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Home dashboard, team page, person profile (layer 4: reads every app below, writes nothing).

    The label stays "home" (the app was website.home): the home page's content type and migrations keep it.
    """

    name = "dashboards"
    label = "home"
    verbose_name = _("Home")
