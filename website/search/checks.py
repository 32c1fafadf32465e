"""System check: a missing, corrupt or half-built Whoosh index is reported with the command that fixes it."""

from __future__ import annotations

from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

from .storage import FIX_COMMAND

CHECK_IDS = {
    "missing": "sitesearch.W001",
    "corrupt": "sitesearch.W002",
    "outdated": "sitesearch.W003",
    "incomplete": "sitesearch.W004",
}


@register(Tags.database)
def search_index_check(app_configs=None, databases=None, **kwargs) -> list[CheckMessage]:
    """Warn (not error: `update_index` itself runs the checks) for each unusable Whoosh index.

    Like Django's database checks it runs when databases are checked: `migrate`, `check --database default`
    (so `check --deploy` in CI, before any index exists, stays quiet). Searches also log the problem.
    """
    if not databases:
        return []
    from modelsearch.backends import get_search_backend
    from modelsearch.conf import get_app_config

    messages: list[CheckMessage] = []
    for name, params in get_app_config().get_search_backend_config().items():
        if params.get("BACKEND") not in {"website.search.backend", "website.search.backend.SearchBackend"}:
            continue
        status = get_search_backend(name).status()
        if status.ok:
            continue
        messages.append(
            CheckWarning(
                f"Search index for backend '{name}' is {status.problem}: {status.detail}. "
                "Searches return no results until it is rebuilt.",
                hint=f"Run `{FIX_COMMAND} --backend {name}`.",
                id=CHECK_IDS[status.problem],
            )
        )
    return messages
