"""The one parser for integers that arrive in URLs: query strings, form posts and path segments.

Database ids are 64-bit (BigAutoField; SQLite's INTEGER and PostgreSQL's bigint): a longer number reaches
the database driver as an OverflowError or DataError, i.e. a 500. Everything here stops it before:

- ``parse_int(text)``: ASCII digits only (``"١٢"`` and ``"²"`` pass ``str.isdigit()`` but are not numbers
  here), within ``minimum``..``maximum``, else None;
- ``int_param(request, name)``: a query parameter, absent or blank → ``default``, bad → ``BadParameter``,
  which ``core.middleware.ErrorPagesMiddleware`` turns into a 400 page naming the parameter;
- ``IdConverter``: the ``<id:name>`` path converter (registered by ``CoreConfig.ready``); an id beyond the
  range does not match the route, so the answer is 404.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"-?[0-9]{1,20}")


class BadParameter(BadRequest):
    """A URL parameter that is not a number in range; the message names it and is shown to the user."""


def parse_int(text: str | None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """``text`` as an int in ``minimum``..``maximum``, or None (blank, not ASCII digits, out of range)."""
    if text is None:
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def int_param(
    request, name: str, *, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """The query parameter ``name`` as an int; absent or blank is ``default``; anything else bad is a 400."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return default
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise BadParameter(
            _("The parameter “%(name)s” must be a whole number from %(min)s to %(max)s.")
            % {"name": name, "min": minimum, "max": maximum}
        )
    return value


class IdConverter:
    """``<id:pk>``: a positive database id (ASCII digits, at most 2**63 - 1); anything else is a 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # Django reads this as "the route does not match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
