from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Layer 0 helpers. An app only so that its abstract page base has an app label (search content types)."""

    name = "core"
    label = "core"
    verbose_name = "ServeWell core"
