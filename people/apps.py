from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PeopleConfig(AppConfig):
    name = "people"
    label = "people"
    verbose_name = _("People and org chart")
    default = True

    def ready(self) -> None:
        from . import signal_handlers  # noqa: F401


class UsersAdminConfig(WagtailUsersAppConfig):
    """Wagtail's user screens with our rules on who may grant which rights (people/users_admin.py)."""

    user_viewset = "people.users_admin.UserViewSet"
