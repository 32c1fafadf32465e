from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Layer 0 helpers. An app only so that its abstract page base has an app label (search content types),
    its translations are found, and the ``<id:…>`` path converter is registered before any URLconf loads."""

    name = "core"
    label = "core"
    verbose_name = "ServeWell core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .params import IdConverter

        register_converter(IdConverter, "id")
