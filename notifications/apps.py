from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Delivery only: in-app notifications and email with retries. Apps above write their own texts."""

    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")
