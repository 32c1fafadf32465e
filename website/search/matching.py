"""Whoosh pieces tuned for bigram phrases: positions stored as raw arrays, adjacency checked with sets.

Whoosh's own Phrase decodes pickled positions into Span objects for every candidate document; a phrase of
bigrams only needs "is there a p with term i at p + i for every i", which a set intersection answers.
"""

from __future__ import annotations

import sys
from array import array

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
# Term / Adjacent leaves under Or (fields) and And (query parts), so they can be evaluated a posting block
# at a time into {docnum: score} dicts instead, with the same matches and BM25F scores (B=0.75, K1=1.2,
# Whoosh's defaults). Anything else (Not, Prefix, Fuzzy, Every) returns None: the caller uses Whoosh's search.

_B, _K1 = 0.75, 1.2
_ONE_POSITION = _INT_SIZE + 4  # ArrayPositions value holding a single uint32
_lengths_cache: dict[tuple[str, str], list[int]] = {}


def _field_lengths(reader, fieldname: str) -> list[int]:
    """Per-document lengths of ``fieldname`` in one segment (segments are immutable, so cache by id)."""
    key = (reader.segment().segment_id(), fieldname)
    lengths = _lengths_cache.get(key)
    if lengths is None:
        if len(_lengths_cache) > 256:
            _lengths_cache.clear()
        lengths = [reader.doc_field_length(d, fieldname, 0) for d in range(reader.doc_count_all())]
        _lengths_cache[key] = lengths
    return lengths


def _raw_postings(reader, fieldname: str, btext: bytes):
    """(ids, weights, values) blocks of one term in one segment, deleted documents included."""
    fmt = reader.schema[fieldname].format
    try:
        m = reader._terms.matcher(fieldname, btext, fmt)
    except TermNotFound:  # the term is in another segment
        return
    if isinstance(m, matching.ListMatcher):
        yield m._ids, m._weights, m._values
        return
    while m.is_active():
        m._read_ids()
        m._read_weights()
        m._read_values()
        yield m._ids, m._weights, m._values
        m._next_block()


class BulkEvaluator:
    """Evaluate a Term/Adjacent/And/Or/NullQuery tree over all segments into {global docnum: score}."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = searcher.reader().leaf_readers()

    def __call__(self, q) -> dict[int, float] | None:
        from whoosh.query import And, NullQuery, Or

        if q is NullQuery or type(q).__name__ == "_NullQuery":
            return {}
        if isinstance(q, Adjacent):
            return self._adjacent(q.fieldname, q.words, q.boost)
        if isinstance(q, Term) and type(q) is Term:
            return self._adjacent(q.fieldname, [q.text], q.boost)
        if isinstance(q, (And, Or)) and type(q) in (And, Or):
            parts = []
            for sub in q.subqueries:
                scores = self(sub)
                if scores is None:
                    return None
                parts.append(scores)
            if not parts:
                return {}
            if isinstance(q, Or):
                merged: dict[int, float] = {}
                for scores in parts:
                    for doc, score in scores.items():
                        merged[doc] = merged.get(doc, 0.0) + score
            else:
                parts.sort(key=len)
                merged = dict(parts[0])
                for scores in parts[1:]:
                    merged = {doc: score + scores[doc] for doc, score in merged.items() if doc in scores}
            if q.boost != 1.0:
                merged = {doc: score * q.boost for doc, score in merged.items()}
            return merged
        return None

    def _adjacent(self, fieldname: str, words, boost: float) -> dict[int, float]:
        """Documents with ``words`` at consecutive positions (one word: a term), BM25F-scored."""
        searcher = self.searcher
        if fieldname not in searcher.schema:
            return {}
        field = searcher.schema[fieldname]
        btexts = [field.to_bytes(word) for word in words]
        reader = searcher.reader()
        if any((fieldname, btext) not in reader for btext in btexts):
            return {}
        avgfl = searcher.avg_field_length(fieldname) or 1
        idfs = [searcher.idf(fieldname, btext) for btext in btexts]
        # Rarest word first: it fixes the candidates, the others only prune them.
        order = sorted(range(len(btexts)), key=lambda i: reader.doc_frequency(fieldname, btexts[i]))
        decode = field.format.decode_positions
        single = len(btexts) == 1
        k1_plus_1 = _K1 + 1
        results: dict[int, float] = {}
        for leaf, base in self.leaves:
            lengths = _field_lengths(leaf, fieldname)
            deleted = leaf.deleted_docs_set if leaf.has_deletions() else ()
            first = order[0]
            idf = idfs[first]
            # doc -> [possible phrase starts, score so far, BM25 length norm]
            cands: dict[int, list] = {}
            for ids, weights, values in _raw_postings(leaf, fieldname, btexts[first]):
                for doc, tf, value in zip(ids, weights, values, strict=False):
                    if doc in deleted:
                        continue
                    norm = _K1 * ((1 - _B) + _B * lengths[doc] / avgfl)
                    starts = None if single else {p - first for p in decode(value)}
                    cands[doc] = [starts, idf * tf * k1_plus_1 / (tf + norm), norm]
            for offset in order[1:]:
                idf = idfs[offset]
                survivors: dict[int, list] = {}
                for ids, weights, values in _raw_postings(leaf, fieldname, btexts[offset]):
                    for doc, tf, value in zip(ids, weights, values, strict=False):
                        cand = cands.get(doc)
                        if cand is None:
                            continue
                        if len(value) == _ONE_POSITION:  # the usual case: the bigram occurs once
                            start = int.from_bytes(value[_INT_SIZE:], "little") - offset
                            starts = {start} if start in cand[0] else None
                        else:
                            starts = cand[0].intersection([p - offset for p in decode(value)])
                        if starts:
                            cand[0] = starts
                            cand[1] += idf * tf * k1_plus_1 / (tf + cand[2])
                            survivors[doc] = cand
                cands = survivors
                if not cands:
                    break
            for doc, cand in cands.items():
                results[base + doc] = cand[1] * boost
        return results
