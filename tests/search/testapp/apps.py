from django.apps import AppConfig


class SearchTestAppConfig(AppConfig):
    """Models that exercise the search backend contract (tests and bench only)."""

    name = "tests.search.testapp"
    label = "searchtestapp"
    default_auto_field = "django.db.models.BigAutoField"
