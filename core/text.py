"""The text fold shared by the search analyzer and short-answer matching."""

from __future__ import annotations

import unicodedata

import opencc

_t2s = opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """NFKC (full-width → half-width), Traditional→Simplified, lower case: the form texts are compared in."""
    return _t2s.convert(unicodedata.normalize("NFKC", text)).lower()
