"""Posting lists for a whole segment at once, computed with numpy instead of one Python call per posting.

A rebuild sees each text field as a stream of (term id, document, position) triples, one per character or
bigram (see :func:`analysis.term_stream`). :class:`FieldPostings` collects the stream in flat arrays and
:meth:`FieldPostings.posting_lists` sorts it once and cuts it into per-term posting lists: document numbers,
weights (term frequencies) and values in :class:`matching.ArrayPositions` encoding (a big-endian count, then
the positions as little-endian uint32).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

_POS_BITS = 24  # positions below 16.7 million per document field
_DOC_BITS = 20  # documents below a million per segment
_MAX_TERMS = 1 << (64 - _POS_BITS - _DOC_BITS)


@dataclass
class PostingList:
    term: str
    docnums: array  # array("I"), ascending
    weights: array  # array("f"): term frequency in each document
    values: list[bytes]  # ArrayPositions.encode(positions) for each document


class FieldPostings:
    """The postings of one field in one segment, as flat arrays until :meth:`posting_lists`."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._next_id = itertools.count()
        self._term_ids = array("I")
        self._positions = array("I")
        self._docnums = array("I")
        self._counts = array("I")

    def add(self, docnum: int, terms: list[str], positions: list[int]) -> None:
        """Add one document's terms; ``positions[i]`` is the position of ``terms[i]``."""
        # setdefault() with a fresh number for every call: ids are unique but not dense, and no Python loop.
        self._term_ids.extend(map(self._ids.setdefault, terms, self._next_id))
        self._positions.extend(positions)
        self._docnums.append(docnum)
        self._counts.append(len(terms))

    def posting_lists(self) -> Iterator[PostingList]:
        """Every term's posting list, terms in code point order (= UTF-8 byte order, as Whoosh needs)."""
        if not self._ids:
            return
        terms = sorted(self._ids)
        if len(terms) >= _MAX_TERMS:
            raise ValueError(f"{len(terms)} distinct terms in one segment; use smaller segments")
        rank = np.zeros(max(self._ids.values()) + 1, dtype=np.uint64)
        rank[np.fromiter(map(self._ids.__getitem__, terms), dtype=np.int64, count=len(terms))] = np.arange(
            len(terms), dtype=np.uint64
        )
        positions = np.frombuffer(self._positions, dtype=np.uint32).astype(np.uint64)
        docnums = np.repeat(
            np.frombuffer(self._docnums, dtype=np.uint32).astype(np.uint64),
            np.frombuffer(self._counts, dtype=np.uint32),
        )
        if int(positions.max()) >> _POS_BITS or int(docnums.max()) >> _DOC_BITS:
            raise ValueError("a document field or a segment is too large for one sort key")
        keys = rank[np.frombuffer(self._term_ids, dtype=np.uint32)] << np.uint64(_POS_BITS + _DOC_BITS)
        keys |= docnums << np.uint64(_POS_BITS)
        keys |= positions
        keys.sort()

        # One posting per (term, document): where the key without its position changes.
        posting_keys = keys >> np.uint64(_POS_BITS)
        first = np.empty(keys.size, dtype=bool)
        first[0] = True
        np.not_equal(posting_keys[1:], posting_keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        freqs = np.diff(np.append(starts, keys.size)).astype(np.uint32)
        posting_terms = (posting_keys[starts] >> np.uint64(_DOC_BITS)).astype(np.int64)
        posting_docs = (posting_keys[starts] & np.uint64((1 << _DOC_BITS) - 1)).astype(np.uint32)

        # Values: posting j is [count (big-endian), positions...], so it starts at word starts[j] + j.
        words = np.empty(keys.size + starts.size, dtype="<u4")
        offsets = starts + np.arange(starts.size)
        words[offsets] = freqs.astype(">u4").view("<u4")
        owner = np.cumsum(first) - 1  # posting of each position
        words[np.arange(keys.size) + owner + 1] = keys & np.uint64((1 << _POS_BITS) - 1)
        blob = words.tobytes()
        byte_starts = (offsets * 4).tolist()
        byte_ends = ((offsets + freqs + 1) * 4).tolist()
        values = list(map(blob.__getitem__, map(slice, byte_starts, byte_ends)))

        docs_bytes = posting_docs.tobytes()
        weights_bytes = freqs.astype(np.float32).tobytes()
        term_starts = np.flatnonzero(np.diff(posting_terms, prepend=-1)).tolist()
        term_ends = [*term_starts[1:], starts.size]
        for index, begin, end in zip(
            posting_terms[term_starts].tolist(), term_starts, term_ends, strict=True
        ):
            docs, weights = array("I"), array("f")
            docs.frombytes(docs_bytes[begin * 4 : end * 4])
            weights.frombytes(weights_bytes[begin * 4 : end * 4])
            yield PostingList(terms[index], docs, weights, values[begin:end])
