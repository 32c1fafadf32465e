from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from kb.models import Issuer


class IssuerViewSet(SnippetViewSet):
    model = Issuer
    icon = "site"
    menu_label = _("Issuers")
    add_to_settings_menu = True
    list_display = ["name", "short_name", "kind", "is_sample"]
    list_filter = ["kind", "is_sample"]
    copy_view_enabled = False
