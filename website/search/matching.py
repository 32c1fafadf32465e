"""Whoosh pieces tuned for bigram phrases: positions stored as raw arrays, adjacency checked with sets.

Whoosh's own Phrase decodes pickled positions into Span objects for every candidate document; a phrase of
bigrams only needs "is there a p with term i at p + i for every i", which a set intersection answers.
"""

from __future__ import annotations

import itertools
import sys
from array import array
from typing import NamedTuple

import numpy as np
from whoosh import formats, matching
from whoosh.query import Phrase, SpanNear2, Term
from whoosh.query.spans import Span
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, pack_uint

_LITTLE = sys.byteorder == "little"  # ArrayPositions stores little-endian on every platform


class ArrayPositions(formats.Positions):
    """Positions as a uint32 array (C-speed decode) instead of a pickle of deltas."""

    def encode(self, poslist) -> bytes:
        positions = array("I", poslist)
        if not _LITTLE:
            positions.byteswap()
        return pack_uint(len(positions)) + positions.tobytes()

    def decode_positions(self, valuestring: bytes) -> array:
        positions = array("I")
        positions.frombytes(valuestring[_INT_SIZE:])
        if not _LITTLE:
            positions.byteswap()
        return positions

    def combine(self, vs) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class AdjacentMatcher(SpanNear2.SpanNear2Matcher):
    """Documents where word i of the phrase occurs at position p + i for some p."""

    def __init__(self, ms, slop=1, ordered=True, mindist=1):
        super().__init__(ms, slop=slop, ordered=ordered, mindist=mindist)

    def _get_spans(self):
        ms = self.ms
        starts = set(ms[0].value_as("positions"))
        for offset in range(1, len(ms)):
            starts.intersection_update([p - offset for p in ms[offset].value_as("positions")])
            if not starts:
                return []
        first = min(starts)
        return [Span(first, first + len(ms) - 1)]


class Adjacent(Phrase):
    """A Phrase (slop 1) matched with :class:`AdjacentMatcher`."""

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        subs = []
        for word in self.words:
            btext = field.to_bytes(word)
            if (fieldname, btext) not in reader:
                return matching.NullMatcher()
            subs.append(Term(fieldname, btext).matcher(searcher, context))
        m = AdjacentMatcher(subs)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


# --- A bulk evaluator for the queries the backend builds ------------------------------------------------
#
# Whoosh's matcher tree costs ~5-10 µs per candidate document in Python. The backend's queries are
# Term / Adjacent leaves under Or (fields) and And (query parts), so they can be evaluated a whole posting
# list at a time with numpy (phrase starts as sorted integer keys, intersected) into arrays of docnums and
# scores instead, with the same matches and BM25F scores (B=0.75, K1=1.2, Whoosh's defaults). Anything else
# (Not, Prefix, Fuzzy, Every) returns None: the caller uses Whoosh's search.

_B, _K1 = 0.75, 1.2
_lengths_cache: dict[tuple[str, str], np.ndarray] = {}


def _field_lengths(reader, fieldname: str) -> np.ndarray:
    """Per-document lengths of ``fieldname`` in one segment (segments are immutable, so cache by id)."""
    key = (reader.segment().segment_id(), fieldname)
    lengths = _lengths_cache.get(key)
    if lengths is None:
        if len(_lengths_cache) > 256:
            _lengths_cache.clear()
        count = reader.doc_count_all()
        lengths = np.fromiter(
            (reader.doc_field_length(d, fieldname, 0) for d in range(count)), dtype=np.float64, count=count
        )
        _lengths_cache[key] = lengths
    return lengths


def _term_postings(reader, fieldname: str, btext: bytes, with_values: bool):
    """One term's postings in one segment, deleted documents included: (docnums, weights, values) with
    ``values`` None unless ``with_values``; None when the term is not in this segment.

    Reads Whoosh's blocks directly (ids are delta-encoded per block) instead of its per-posting decoders.
    """
    fmt = reader.schema[fieldname].format
    try:
        m = reader._terms.matcher(fieldname, btext, fmt)
    except TermNotFound:
        return None
    if isinstance(m, matching.ListMatcher):  # postings inlined in the term info
        values = list(m._values) if with_values else None
        return np.asarray(m._ids, dtype=np.int64), np.asarray(m._weights, dtype=np.float64), values
    deltas, sizes, lasts, weights, values = [], [], [], [], []
    while m.is_active():
        m._read_data()
        block_ids, block_weights, block_values = m._data
        count = m._blocklength
        deltas.append(block_ids)  # delta-encoded from 0 in each block
        sizes.append(count)
        lasts.append(m.block_max_id())
        if block_weights is None or isinstance(block_weights, float):
            weights.append(itertools.repeat(1.0 if block_weights is None else block_weights, count))
        else:
            weights.append(block_weights)
        if with_values:
            values.extend(block_values)
        m._next_block()
    total = sum(sizes)
    # One cumulative sum over all blocks, minus the earlier blocks' last ids each block restarted from.
    restart = np.repeat(np.cumsum([0, *lasts[:-1]]), sizes)
    ids = np.cumsum(np.fromiter(itertools.chain.from_iterable(deltas), dtype=np.int64, count=total)) - restart
    tfs = np.fromiter(itertools.chain.from_iterable(weights), dtype=np.float64, count=total)
    return ids, tfs, values if with_values else None


def _phrase_starts(docnums: np.ndarray, values: list[bytes], offset: int) -> np.ndarray:
    """``docnum << 32 | position - offset`` for each position of each posting, ascending.

    ``values`` are :class:`ArrayPositions` records: a 4-byte count, then that many little-endian uint32.
    """
    words_per_value = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) >> 2
    words = np.frombuffer(b"".join(values), dtype="<u4")
    is_position = np.ones(words.size, dtype=bool)
    is_position[np.cumsum(words_per_value) - words_per_value] = False  # the counts
    positions = words[is_position].astype(np.int64) - offset
    docs = np.repeat(docnums, words_per_value - 1)
    keep = positions >= 0
    return (docs[keep] << 32) | positions[keep]


class Hits(NamedTuple):
    """Matching documents (global docnums, ascending, unique) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    @classmethod
    def none(cls) -> Hits:
        return cls(np.empty(0, dtype=np.int64), np.empty(0))


class BulkEvaluator:
    """Evaluate a Term/Adjacent/And/Or/NullQuery tree over all segments into :class:`Hits`."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = searcher.reader().leaf_readers()

    def __call__(self, q) -> Hits | None:
        from whoosh.query import And, NullQuery, Or

        if q is NullQuery or type(q).__name__ == "_NullQuery":
            return Hits.none()
        if isinstance(q, Adjacent):
            return self._adjacent(q.fieldname, q.words, q.boost)
        if isinstance(q, Term) and type(q) is Term:
            return self._adjacent(q.fieldname, [q.text], q.boost)
        if isinstance(q, (And, Or)) and type(q) in (And, Or):
            parts = []
            for sub in q.subqueries:
                hits = self(sub)
                if hits is None:
                    return None
                parts.append(hits)
            if not parts:
                return Hits.none()
            merged = _union(parts) if isinstance(q, Or) else _intersection(parts)
            return merged if q.boost == 1.0 else Hits(merged.docs, merged.scores * q.boost)
        return None

    def _adjacent(self, fieldname: str, words, boost: float) -> Hits:
        """Documents with ``words`` at consecutive positions (one word: a term), BM25F-scored."""
        searcher = self.searcher
        if fieldname not in searcher.schema:
            return Hits.none()
        field = searcher.schema[fieldname]
        btexts = [field.to_bytes(word) for word in words]
        reader = searcher.reader()
        if any((fieldname, btext) not in reader for btext in btexts):
            return Hits.none()
        avgfl = searcher.avg_field_length(fieldname) or 1
        idfs = [searcher.idf(fieldname, btext) for btext in btexts]
        # Rarest word first: the intersection of phrase starts shrinks fastest.
        order = sorted(range(len(btexts)), key=lambda i: reader.doc_frequency(fieldname, btexts[i]))
        phrase = len(btexts) > 1
        per_segment: list[Hits] = []  # segments' docnums are ascending, disjoint ranges
        for leaf, base in self.leaves:
            postings = [_term_postings(leaf, fieldname, btexts[i], with_values=phrase) for i in order]
            if any(p is None for p in postings):  # a word this segment lacks: no match in it
                continue
            if phrase:
                starts = None
                for offset, (docnums, _weights, values) in zip(order, postings, strict=True):
                    found = _phrase_starts(docnums, values, offset)
                    if starts is None:
                        starts = found
                    elif found.size:
                        at = np.minimum(np.searchsorted(found, starts), found.size - 1)
                        starts = starts[found[at] == starts]
                    else:
                        starts = found
                    if not starts.size:
                        break
                docs = starts >> 32  # ascending, like starts
                docs = docs[np.diff(docs, prepend=-1) != 0]
            else:
                docs = postings[0][0]
            if leaf.has_deletions():
                docs = docs[~np.isin(docs, np.fromiter(leaf.deleted_docs_set, dtype=np.int64))]
            if not docs.size:
                continue
            norm = _K1 * ((1 - _B) + _B * _field_lengths(leaf, fieldname)[docs] / avgfl)
            scores = np.zeros(docs.size)
            for i, (docnums, weights, _values) in zip(order, postings, strict=True):
                tf = weights[np.searchsorted(docnums, docs)]
                scores += idfs[i] * tf * (_K1 + 1) / (tf + norm)
            per_segment.append(Hits(docs + base, scores * boost))
        if not per_segment:
            return Hits.none()
        return Hits(
            np.concatenate([h.docs for h in per_segment]), np.concatenate([h.scores for h in per_segment])
        )


def _union(parts: list[Hits]) -> Hits:
    """Documents in any part; scores summed in the parts' order."""
    docs = np.concatenate([h.docs for h in parts])
    scores = np.concatenate([h.scores for h in parts])
    order = np.argsort(docs, kind="stable")
    docs, scores = docs[order], scores[order]
    if not docs.size:
        return Hits.none()
    starts = np.flatnonzero(np.diff(docs, prepend=-1))
    return Hits(docs[starts], np.add.reduceat(scores, starts))


def _intersection(parts: list[Hits]) -> Hits:
    """Documents in every part; scores summed, smallest part first."""
    parts = sorted(parts, key=lambda h: h.docs.size)
    docs, scores = parts[0]
    for other in parts[1:]:
        if not docs.size or not other.docs.size:
            return Hits.none()
        at = np.minimum(np.searchsorted(other.docs, docs), other.docs.size - 1)
        keep = other.docs[at] == docs
        docs, scores = docs[keep], scores[keep] + other.scores[at[keep]]
    return Hits(docs, scores)
