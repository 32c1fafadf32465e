"""A segment's posting lists computed with numpy, instead of one Python call per character and posting.

:class:`FieldPostings` analyses one field of every document in a segment at once, with the same result as
:func:`analysis.term_stream` on each text (``tests/search/test_bulk_writer.py`` compares the index files
with Whoosh's own writer, which uses ``term_stream``): the folded texts are joined, turned into an array of
code points, and CJK characters, their bigrams and the (few) other words become (term id, document,
position) triples. :meth:`FieldPostings.posting_lists` sorts the triples once and cuts them into per-term
posting lists: document numbers, weights (term frequencies) and values in :class:`matching.ArrayPositions`
encoding (a big-endian count, then the positions as little-endian uint32).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from .analysis import CJK_CLASS, CJK_RANGES, MAX_WORD, fold, word_term

_POS_BITS = 24  # positions below 16.7 million per document field
_DOC_BITS = 20  # documents below a million per segment
_CODE_BITS = 21  # a Unicode code point
# Term ids: a CJK character is its code point, a bigram two code points, a word its index in .words.
_BIGRAM = np.uint64(1 << (2 * _CODE_BITS))
_WORD = np.uint64(1 << (2 * _CODE_BITS + 1))
_WORD_RE = re.compile(f"(?:(?![{CJK_CLASS}])[^\\W_])+")  # a non-CJK word: what term_stream calls a piece


@cache
def _not_word_characters() -> np.ndarray:
    """Code points in the CJK ranges that are not word characters (e.g. ・ U+30FB): they end a run."""
    return np.array(
        [c for low, high in CJK_RANGES for c in range(low, high + 1) if not chr(c).isalnum()], dtype=np.uint32
    )


@dataclass
class PostingList:
    term: str
    docnums: array  # array("I"), ascending
    weights: array  # array("f"): term frequency in each document
    values: list[bytes]  # ArrayPositions.encode(positions) for each document


class FieldPostings:
    """One field of a segment's documents: ``texts[i]`` is document ``i``'s value ("" when it has none)."""

    def __init__(self, texts: list[str], *, stem: bool):
        folded = [fold(text) for text in texts]
        joined = "\n".join(folded)  # a separator that is not a word character: no run crosses documents
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        sizes = np.fromiter(map(len, folded), dtype=np.int64, count=len(folded)) + 1
        doc_of = np.repeat(np.arange(len(folded), dtype=np.int64), sizes)[: codes.size]

        cjk = np.zeros(codes.size, dtype=bool)
        for low, high in CJK_RANGES:
            cjk |= (codes >= low) & (codes <= high)
        cjk &= ~np.isin(codes, _not_word_characters())

        self.words: list[str] = []
        ids: dict[str, int] = {}
        word_at, word_ids = [], []
        for match in _WORD_RE.finditer(joined):
            if match.end() - match.start() <= MAX_WORD:
                term = word_term(match.group(), stem)
                if term not in ids:
                    ids[term] = len(self.words)
                    self.words.append(term)
                word_at.append(match.start())
                word_ids.append(ids[term])
        word_at = np.array(word_at, dtype=np.int64)

        # A position per CJK character and per word, counted from 0 in each document.
        unit = cjk.copy()
        unit[word_at] = True
        units_before = np.concatenate(([0], np.cumsum(unit)))
        doc_starts = np.cumsum(sizes) - sizes
        position = units_before[1:] - 1 - units_before[doc_starts][doc_of]

        chars = np.flatnonzero(cjk)
        pairs = np.flatnonzero(cjk[:-1] & cjk[1:])  # adjacent CJK characters are in the same run
        wide = codes.astype(np.uint64)
        self.term_ids = np.concatenate(
            (
                wide[chars],
                _BIGRAM | (wide[pairs] << np.uint64(_CODE_BITS)) | wide[pairs + 1],
                _WORD | np.array(word_ids, dtype=np.uint64),
            )
        )
        at = np.concatenate((chars, pairs, word_at))
        self.positions = position[at]
        self.docnums = doc_of[at]
        #: Terms (with their positions) in each document: the field length Whoosh scores with.
        self.lengths = np.bincount(self.docnums, minlength=len(texts))

    def _text(self, term_id: int) -> str:
        if term_id & int(_WORD):
            return self.words[term_id & (int(_WORD) - 1)]
        if term_id & int(_BIGRAM):
            mask = (1 << _CODE_BITS) - 1
            return chr((term_id >> _CODE_BITS) & mask) + chr(term_id & mask)
        return chr(term_id)

    def posting_lists(self) -> Iterator[PostingList]:
        """Every term's posting list, terms in code point order (= UTF-8 byte order, as Whoosh needs)."""
        if not self.term_ids.size:
            return
        unique, term_of = np.unique(self.term_ids, return_inverse=True)
        texts = [self._text(term_id) for term_id in unique.tolist()]
        order = sorted(range(len(texts)), key=texts.__getitem__)
        terms = [texts[i] for i in order]
        rank = np.empty(len(texts), dtype=np.uint64)
        rank[order] = np.arange(len(texts), dtype=np.uint64)
        if int(self.positions.max()) >> _POS_BITS or int(self.docnums.max()) >> _DOC_BITS:
            raise ValueError("a document field or a segment is too large for one sort key")
        keys = rank[term_of] << np.uint64(_POS_BITS + _DOC_BITS)
        keys |= self.docnums.astype(np.uint64) << np.uint64(_POS_BITS)
        keys |= self.positions.astype(np.uint64)
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
        term_indexes = posting_terms[term_starts].tolist()
        for index, begin, end in zip(term_indexes, term_starts, term_ends, strict=True):
            docs, weights = array("I"), array("f")
            docs.frombytes(docs_bytes[begin * 4 : end * 4])
            weights.frombytes(weights_bytes[begin * 4 : end * 4])
            yield PostingList(terms[index], docs, weights, values[begin:end])
