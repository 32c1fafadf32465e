"""Chinese-aware text analysis shared by indexing, querying and highlighting.

Text is folded (NFKC, Traditional→Simplified with OpenCC, lower case) and cut into *units*, one position
each: a Latin word (letters/digits, Porter-stemmed in search fields) or a single CJK character. A CJK
character also yields the bigram it starts, at the same position, so ``投诉`` is one term inside
``客户投诉与意见处理``; a multi-character query becomes a phrase of consecutive bigrams (see
:func:`phrase_terms`). Runs of mixed script (``AML反洗錢``) are split at the script boundary.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh.lang.porter import stem as porter_stem

from core.text import fold

#: Scripts indexed a character (plus bigram) at a time: Hiragana and Katakana, CJK Extension A, CJK Unified
#: Ideographs, Hangul syllables, CJK Compatibility Ideographs, CJK Extensions B-G.
CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
CJK_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in CJK_RANGES)  # for a regex [...]
_RUN_RE = re.compile(r"[^\W_]+")
_CJK_SPLIT_RE = re.compile(f"([{CJK_CLASS}]+)")
MAX_WORD = 64  # longer non-CJK words are not indexed


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return porter_stem(word) if word.isascii() and word.isalpha() else word


def word_term(word: str, stem: bool) -> str:
    """The term a non-CJK word is indexed as: Porter-stemmed (ASCII letters only) in search fields."""
    return _stem(word) if stem else word


def term_stream(text: str, *, stem: bool = True) -> tuple[list[str], list[int]]:
    """Every term of ``text`` and, in a parallel list, its position: the indexing fast path.

    CJK runs are expanded with list operations (characters, then bigrams) rather than a loop per character.
    """
    terms: list[str] = []
    positions: list[int] = []
    pos = 0
    for run in _RUN_RE.findall(fold(text)):
        pieces = (run,) if run.isascii() else _CJK_SPLIT_RE.split(run)
        for i, piece in enumerate(pieces):
            if not piece:
                continue
            if i % 2 == 0:  # a non-CJK word (split() puts the captured CJK runs at odd indexes)
                if len(piece) <= MAX_WORD:
                    terms.append(word_term(piece, stem))
                    positions.append(pos)
                    pos += 1
                continue
            size = len(piece)
            terms += piece
            terms += map(operator.add, piece, piece[1:])
            positions += range(pos, pos + size)
            positions += range(pos, pos + size - 1)
            pos += size
    return terms, positions


def term_positions(text: str, *, stem: bool = True) -> dict[str, list[int]]:
    """Every term of ``text`` with its ascending positions."""
    poses: dict[str, list[int]] = defaultdict(list)
    for term, pos in zip(*term_stream(text, stem=stem), strict=True):
        poses[term].append(pos)
    return poses


@dataclass(frozen=True, slots=True)
class Unit:
    """One position of analysed text: a word stem or a CJK character, with where it came from."""

    key: str
    cjk: bool
    joined: bool  # a CJK character in the same run as the unit before it
    start: int  # character offsets in the text given to units()
    end: int


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """fold(text) plus, for each folded character, the index of the original character it came from."""
    folded = fold(text)
    if len(folded) == len(text) and unicodedata.is_normalized("NFKC", text):
        return folded, list(range(len(text) + 1))
    chars, offsets = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        chars.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(chars), offsets


def units(text: str, *, stem: bool = True) -> list[Unit]:
    """The units of ``text`` in order, with offsets into ``text`` (for highlighting and query building)."""
    folded, offsets = _fold_with_offsets(text)
    result: list[Unit] = []
    for match in _RUN_RE.finditer(folded):
        run, base = match.group(), match.start()
        pieces = (run,) if run.isascii() else _CJK_SPLIT_RE.split(run)
        for i, piece in enumerate(pieces):
            if piece and i % 2 == 0 and len(piece) <= MAX_WORD:
                start, end = offsets[base], offsets[base + len(piece) - 1] + 1
                result.append(Unit(word_term(piece, stem), False, False, start, end))
            elif piece and i % 2 == 1:
                for offset, char in enumerate(piece):
                    at = base + offset
                    result.append(Unit(char, True, offset > 0, offsets[at], offsets[at] + 1))
            base += len(piece)
    return result


def phrase_terms(text: str, *, stem: bool = True) -> list[str]:
    """The terms of ``text`` at consecutive positions, to match it as a phrase.

    A CJK run of n > 1 characters becomes its n-1 bigrams (positions p..p+n-2) followed by its last character
    (p+n-1) when more units follow; a word or a lone character is itself. ``客户投诉`` → 客户 户投 投诉.
    """
    terms: list[str] = []
    seq = units(text, stem=stem)
    for i, unit in enumerate(seq):
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if not unit.cjk:
            terms.append(unit.key)
        elif nxt is not None and nxt.joined:
            terms.append(unit.key + nxt.key)
        elif not unit.joined or nxt is not None:
            terms.append(unit.key)  # a lone character, or the last one of a run followed by more units
    return terms


def query_chunks(text: str) -> list[str]:
    """Whitespace-separated parts of a query; each part is matched as a phrase."""
    return [chunk for chunk in text.split() if _RUN_RE.search(chunk)]


# --- Highlighting ----------------------------------------------------------------------------------------


def _match_spans(text: str, query: str) -> list[tuple[int, int]]:
    text_units = units(text)
    spans: list[tuple[int, int]] = []
    for chunk in query_chunks(query):
        needle = units(chunk)
        size = len(needle)
        if not size:
            continue
        for i in range(len(text_units) - size + 1):
            window = text_units[i : i + size]
            if all(
                got.key == want.key and (not want.joined or got.joined)
                for got, want in zip(window, needle, strict=True)
            ):
                spans.append((window[0].start, window[-1].end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    out, cursor = [], offset
    for start, end in spans:
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    return "".join(out) + escape(text[cursor:])


def highlight(text: str, query: str) -> SafeString:
    """``text`` as escaped HTML, each match of ``query`` wrapped in ``<mark>`` (same analysis as search)."""
    return mark_safe(_render(text, _match_spans(text, query)))


def snippet(text: str, query: str, length: int = 120) -> SafeString:
    """A ``length``-character extract of ``text`` around the first match of ``query``, highlighted."""
    spans = _match_spans(text, query)
    if len(text) <= length:
        start, end = 0, len(text)
    else:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - length // 4, len(text) - length))
        end = start + length
    inside = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
    body = _render(text[:end], inside, offset=start)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")
