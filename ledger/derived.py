"""Tables derived from the ledger (acknowledgements, quiz attempts, completions), checked against it.

Apps above the ledger keep fast tables next to their records (kb's ``Acknowledgement`` is what the trace
view reads). Nothing but ``verify_records`` would notice if one of those rows were edited, so each owning
app registers a checker in its ``AppConfig.ready()``::

    from ledger import derived
    derived.register("kb.acknowledgement", acknowledgement_mismatches)

A checker takes the database alias and yields ``(row description, problem)`` pairs, e.g.
``("id 17 (user 5, page 20 v3)", "on_time is True, the record (seq 42) says False")``; nothing when the
table agrees. It must cover both directions — every row has its record and agrees with it, every record
of its kind has its row — and run in bounded memory (keyset pages or ``.iterator()``), with a fixed
number of queries per page. An exception is reported as a problem of that table, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Checker = Callable[[str], Iterable[tuple[str, str]]]

_checkers: dict[str, Checker] = {}


def register(name: str, checker: Checker) -> None:
    """Check the table ``name`` ("app_label.model") with ``checker`` on every ``verify_records``."""
    _checkers[name] = checker


def checkers() -> dict[str, Checker]:
    """The registered checkers by table name, in registration order."""
    return dict(_checkers)
