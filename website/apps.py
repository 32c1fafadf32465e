from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    """The site shell: templates, static files, translations, demo data and site-wide commands."""

    name = "website"
    label = "website"
    verbose_name = _("ServeWell site")

    def ready(self) -> None:
        from website.assignable import register_targets
        from website.exports import route_wagtail_exports

        route_wagtail_exports()
        register_targets()
