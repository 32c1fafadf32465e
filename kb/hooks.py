"""Places where apps above kb add to kb's pages without kb importing them (kb is layer 3;
courses fills these).

``register_trace_section(fn)``: ``fn(regulation)`` returns None or a dict with ``template`` (included in the
regulation's traceability view under 培訓) and that template's context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TraceSection = Callable[[Any], dict | None]

_trace_sections: list[TraceSection] = []


def register_trace_section(fn: TraceSection) -> TraceSection:
    if fn not in _trace_sections:
        _trace_sections.append(fn)
    return fn


def trace_sections(regulation) -> list[dict]:
    """Every registered section for this regulation update, in registration order (None ones left out)."""
    return [section for fn in _trace_sections if (section := fn(regulation)) is not None]
