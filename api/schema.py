"""drf-spectacular hooks: the schema describes the HR API only (not Wagtail's admin API)."""


def only_hr_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
