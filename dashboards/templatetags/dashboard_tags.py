from django import template

register = template.Library()

SYMBOLS = {
    "completed_on_time": "✓",
    "completed_late": "✓!",
    "in_progress": "…",
    "not_started": "○",
    "overdue": "!",
    "expired": "↻",
}


@register.filter
def status_symbol(status: str) -> str:
    return SYMBOLS.get(status, "–")


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, "")


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def ratio(done, owed):
    return done / owed if owed else None


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (empty values dropped): links keep filters."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in ("", None):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    return "?" + params.urlencode()
