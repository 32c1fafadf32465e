"""The on-disk Whoosh index: schema, generations swapped atomically, a write lock that waits, status checks.

Layout of the index directory (``SEARCH_INDEX_DIR``)::

    CURRENT          name of the generation searches use (replaced atomically with os.replace)
    gen-<stamp>/     a complete Whoosh index plus meta.json ({"schema": N, "complete": bool, ...})
    write.lock       flock held by whoever writes (waits up to LOCK_TIMEOUT seconds, then fails loudly)
    rebuild.lock     flock held by a running ``update_index`` for its whole run
    REBUILDING       name of the generation being built; writers journal what they change into it

A rebuild builds a new generation without blocking writers, replays their journal into it, then points
CURRENT at it under the write lock. Readers open the generation CURRENT names, so they never see a half-built
index; the previous generation is kept until the next swap for searchers that still have it open.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import multiprocessing
import operator
import os
import pickle
import secrets
import shutil
import struct
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import term_positions, units
from .matching import ArrayPositions
from .postings import FieldPostings

logger = logging.getLogger(__name__)

#: Bump when the analyzer or schema changes: older generations are then reported as needing a rebuild.
SCHEMA_VERSION = 2
FIX_COMMAND = "python manage.py update_index"

SEARCH_PREFIX = "f_"  # one Whoosh field per SearchField (stemmed)
AUTOCOMPLETE_PREFIX = "a_"  # one Whoosh field per AutocompleteField (unstemmed, for prefixes)


class IndexUnavailable(Exception):
    """The index is missing, corrupt or from an older schema; ``FIX_COMMAND`` repairs it."""


class IndexLockTimeout(Exception):
    """Another writer held the index lock for longer than the timeout."""


class RebuildInProgress(Exception):
    """Another ``update_index`` is already rebuilding this index."""


# --- Schema ---------------------------------------------------------------------------------------------


class CJKTokenizer(Tokenizer):
    """Whoosh view of :mod:`website.search.analysis` (characters and bigrams share a position)."""

    def __init__(self, stem: bool = True):
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CJKTokenizer) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash(("CJKTokenizer", self.stem))

    def __call__(self, value, positions=False, chars=False, start_pos=0, start_char=0, **kwargs):
        token = Token(positions, chars, **kwargs)
        seq = units(value, stem=self.stem)
        for pos, unit in enumerate(seq, start=start_pos):
            nxt = seq[pos - start_pos + 1] if pos - start_pos + 1 < len(seq) else None
            grams = [(unit.key, unit.end)]
            if unit.cjk and nxt is not None and nxt.joined:
                grams.append((unit.key + nxt.key, nxt.end))
            for text, end in grams:
                token.text, token.boost, token.stopped = text, 1.0, False
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar, token.endchar = start_char + unit.start, start_char + end
                yield token


class CJKText(TEXT):
    """A positional text field that indexes through :func:`analysis.term_positions` (no token objects)."""

    def __init__(self, stem: bool = True):
        super().__init__(analyzer=CJKTokenizer(stem=stem), phrase=True)
        self.format = ArrayPositions(field_boost=1.0)
        self.stem = stem

    def index(self, value, **kwargs):
        fmt = self.format
        for term, poslist in term_positions(value, stem=self.stem).items():
            yield term.encode("utf-8"), len(poslist), float(len(poslist)), fmt.encode(poslist)


def make_schema() -> Schema:
    """``doc_id``: ``<root model label>:<pk>``; ``pk``: a column (fast hit→pk); ``ct``: content types."""
    schema = Schema(
        doc_id=ID(stored=True, unique=True),
        pk=ID(sortable=True),
        ct=KEYWORD(lowercase=False, commas=False, scorable=False),
    )
    schema.add(SEARCH_PREFIX + "*", CJKText(stem=True), glob=True)
    schema.add(AUTOCOMPLETE_PREFIX + "*", CJKText(stem=False), glob=True)
    return schema


# --- Locks ----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def file_lock(path: Path, timeout: float, *, poll: float = 0.02) -> Iterator[None]:
    """Hold an exclusive flock on ``path``, waiting up to ``timeout`` seconds (works across threads too)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockTimeout(f"{path} still locked after {timeout:.0f} s") from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_is_held(path: Path) -> bool:
    """True while another open file description holds ``path``'s flock (e.g. a running rebuild)."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


# --- The store ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStatus:
    """What a system check or the search page needs to know about the index."""

    ok: bool
    problem: str = ""  # "missing", "corrupt", "outdated" or "incomplete"
    detail: str = ""
    generation: str = ""
    documents: int = 0


Document = dict[str, str]
JournalEntry = tuple[str, str]  # (model label, pk) to re-read from the database
Replay = Callable[[list[JournalEntry]], tuple[list[Document], list[str]]]


class IndexStore:
    """One index directory. Cheap to create; open searchers are cached per thread and per directory."""

    _local = threading.local()

    def __init__(self, root: Path | str, lock_timeout: float = 30.0, rebuild_workers: int | None = None):
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self.rebuild_workers = rebuild_workers

    # paths
    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    @property
    def rebuilding_file(self) -> Path:
        return self.root / "REBUILDING"

    def write_lock(self, timeout: float | None = None):
        self.root.mkdir(parents=True, exist_ok=True)
        return file_lock(self.root / "write.lock", self.lock_timeout if timeout is None else timeout)

    def current_generation(self) -> str | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def _meta(self, generation: str) -> dict:
        try:
            return json.loads((self.root / generation / "meta.json").read_text())
        except (OSError, ValueError):
            return {}

    def _write_meta(self, generation: str, **meta) -> None:
        meta = {"schema": SCHEMA_VERSION, **meta}
        tmp = self.root / generation / "meta.json.tmp"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, self.root / generation / "meta.json")

    def _set_current(self, generation: str) -> None:
        tmp = self.root / f"CURRENT.{secrets.token_hex(4)}"
        tmp.write_text(generation)
        os.replace(tmp, self.current_file)

    def _new_generation(self) -> str:
        name = f"gen-{datetime.now(UTC):%Y%m%d%H%M%S%f}-{secrets.token_hex(2)}"
        (self.root / name).mkdir(parents=True)
        whoosh_index.create_in(str(self.root / name), make_schema())
        return name

    # reading
    def status(self) -> IndexStatus:
        """Open the current generation and report whether searches can trust it."""
        generation = self.current_generation()
        if generation is None:
            return IndexStatus(False, "missing", f"no search index in {self.root}")
        meta = self._meta(generation)
        try:
            with whoosh_index.open_dir(str(self.root / generation)).searcher() as searcher:
                documents = searcher.doc_count()
        except Exception as exc:
            return IndexStatus(False, "corrupt", f"{self.root / generation}: {exc!r}", generation)
        if meta.get("schema") != SCHEMA_VERSION:
            return IndexStatus(
                False, "outdated", f"schema {meta.get('schema')} != {SCHEMA_VERSION}", generation
            )
        if not meta.get("complete"):
            return IndexStatus(
                False, "incomplete", "created by a single update, never fully built", generation
            )
        return IndexStatus(True, "", "", generation, documents)

    def searcher(self):
        """A Whoosh searcher on the current generation, reused while up to date. Raises IndexUnavailable."""
        generation = self.current_generation()
        if generation is None:
            raise IndexUnavailable(f"no search index in {self.root}")
        cache = self._local.__dict__.setdefault("searchers", {})
        key = str(self.root)
        cached = cache.get(key)
        try:
            if cached is not None and cached[0] == generation and cached[1].up_to_date():
                searcher = cached[1]
            else:
                # Not Searcher.refresh(): it reuses segment readers whose deletions have changed since.
                if cached is not None:
                    cached[1].close()
                searcher = whoosh_index.open_dir(str(self.root / generation)).searcher()
        except Exception as exc:
            cache.pop(key, None)
            raise IndexUnavailable(f"{self.root / generation}: {exc!r}") from exc
        cache[key] = (generation, searcher)
        return searcher

    def document_ids(self) -> set[str]:
        """Ids of every document in the current generation (diagnostics and tests)."""
        return {fields["doc_id"] for fields in self.searcher().reader().all_stored_fields()}

    # writing
    def _open_or_create(self) -> str:
        """The current generation, creating an empty (incomplete) one if needed. Call under the lock."""
        generation = self.current_generation()
        if generation is None or not (self.root / generation).is_dir():
            generation = self._new_generation()
            self._write_meta(generation, complete=False, created=_now())
            self._set_current(generation)
            logger.warning(
                "Created an empty search index in %s; run `%s` to fill it.", self.root, FIX_COMMAND
            )
        return generation

    def _active_rebuild(self) -> str | None:
        """The generation a running rebuild is building, clearing the marker a crashed rebuild left."""
        try:
            generation = self.rebuilding_file.read_text().strip()
        except FileNotFoundError:
            return None
        if _lock_is_held(self.root / "rebuild.lock"):
            return generation
        logger.warning("Removing the marker of an interrupted search index rebuild (%s).", generation)
        self.rebuilding_file.unlink(missing_ok=True)
        return None

    def update(
        self, docs: Iterable[Document], delete_ids: Iterable[str], journal: Iterable[JournalEntry]
    ) -> None:
        """Add/replace ``docs`` and delete ``delete_ids`` in one commit, waiting for the write lock."""
        docs, delete_ids, journal = list(docs), list(delete_ids), list(journal)
        with self.write_lock():
            generation = self._open_or_create()
            ix = whoosh_index.open_dir(str(self.root / generation))
            writer = ix.writer(timeout=self.lock_timeout)
            try:
                for doc_id in delete_ids:
                    writer.delete_by_term("doc_id", doc_id)
                for doc in docs:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            rebuilding = self._active_rebuild()
            if rebuilding and journal:
                with open(self.root / rebuilding / "journal.jsonl", "a", encoding="utf-8") as fh:
                    fh.writelines(json.dumps(entry) + "\n" for entry in journal)

    def rebuild(self) -> Rebuild:
        return Rebuild(self, self.rebuild_workers)

    def clear_cache(self) -> None:
        """Close this thread's cached searcher for the directory (tests, after deleting files)."""
        cached = self._local.__dict__.get("searchers", {}).pop(str(self.root), None)
        if cached is not None:
            cached[1].close()


_TERM_INFO = struct.Struct(
    "!BfIBBfII"
)  # W3TermInfo: flags, weight, doc freq, min/max length, max weight, ids


def _write_posting_list(fw, btext: bytes, ids: array, weights: array, values: list, lengths, limit: int):
    """Write one term's postings the way W3FieldWriter/W3PostingsWriter would, a block at a time.

    The same bytes as Whoosh's ``start_term()``, ``add()`` per posting and ``finish_term()``, but the
    per-posting steps are slices and C-level builtins. Blocks are pickled with protocol 5, not 2: protocol 2
    has no opcode for bytes, so each position value went through ``codecs.encode`` when written and again
    when read (``pickle.loads`` reads any protocol, so Whoosh's readers are unchanged). Field lengths for the
    length statistics are ``lengths[docnum]`` (None for unscored fields), as Whoosh's writer reads them.
    """
    postfile, fixed_size = fw._postfile, fw._format.fixed_value_size()
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    minlength = maxlength = None
    for first in range(0, len(ids), limit):
        block = ids[first : first + limit]
        block_weights = weights[first : first + limit]
        size = len(block)
        if block_weights.count(1.0) == size:
            mini_weights = None
        elif block_weights.count(block_weights[0]) == size:
            mini_weights = block_weights[0]
        else:
            mini_weights = tuple(block_weights)
        deltas = tuple(map(operator.sub, block, itertools.chain((0,), block)))
        block_values = values[first : first + limit]
        if fixed_size is None or fixed_size < 0:
            block_values = tuple(block_values)
        else:  # fixed-size values (none for the id and keyword fields) are stored joined
            block_values = b"".join(block_values) if fixed_size else None
        data = pickle.dumps((deltas, mini_weights, block_values), 5)
        low = high = None  # like add_posting(): statistics over the non-zero lengths
        if lengths is not None:
            nonzero = list(filter(None, map(lengths.__getitem__, block)))
            if nonzero:
                low, high = min(nonzero), max(nonzero)
                minlength = low if minlength is None else min(minlength, low)
                maxlength = high if maxlength is None else max(maxlength, high)
        info = pickle.dumps(
            (size, block[-1], max(block_weights), 0, length_to_byte(low), length_to_byte(high or 0)), 5
        )
        postfile.write_int(-(len(info) + len(data)) if first + limit >= len(ids) else len(info) + len(data))
        postfile.write(info)
        postfile.write(data)
    terminfo = _TERM_INFO.pack(
        0,
        sum(weights),
        len(ids),
        0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength or 0),
        max(weights),
        ids[0],
        ids[-1],
    )
    terminfo += pack_long(start) + pack_int(postfile.tell() - start)
    fw._tindex.add(pack_ushort(fw._fieldid) + btext, terminfo)


class BulkWriter(SegmentWriter):
    """A SegmentWriter for ``update_index``: the same index files, without a Python call per posting.

    Whoosh's writer sends every posting through a pool, a sort and ``add_posting()`` one at a time; for a CJK
    index (every character plus every bigram) that was most of a rebuild. Here a whole segment is written at
    once (:meth:`write`): each text field is analysed for all documents together and its postings sorted with
    numpy (:class:`postings.FieldPostings`), and each posting list is written a block at a time.
    ``tests/search/test_bulk_writer.py`` checks the files match Whoosh's.
    """

    #: Postings per block (Whoosh: 128), uncompressed: a bigger index, but a query that reads a common
    #: bigram's whole posting list unpickles a few blocks instead of dozens, and no zlib.
    BLOCK_POSTINGS = 1024

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", W3Codec(blocklimit=self.BLOCK_POSTINGS, compression=0))
        super().__init__(ix, **kwargs)
        self._text: dict[str, FieldPostings] = {}  # CJKText fields
        # Other (id, keyword) fields: name -> btext -> (docnums, weights, values).
        self._other: dict[str, dict] = defaultdict(dict)
        self._lengths: dict[str, array] = defaultdict(lambda: array("I"))  # as the segment stores them

    def write(self, docs: list[Document]) -> None:
        """Add ``docs`` (a whole segment: text fields are analysed for all of them at once)."""
        self._check_state()
        schema, perdoc = self.schema, self.perdocwriter
        names = sorted({name for doc in docs for name in doc if not name.startswith("_")})
        self._check_fields(schema, names)
        text_lengths = {}
        for name in names:
            field = schema[name]
            if isinstance(field, CJKText):
                self._text[name] = FieldPostings([doc.get(name) or "" for doc in docs], stem=field.stem)
                text_lengths[name] = self._text[name].lengths.tolist()
        for index, doc in enumerate(docs):
            docnum = self.docnum
            perdoc.start_doc(docnum)
            for name in sorted(doc):
                value = doc[name]
                if value is None or name.startswith("_"):
                    continue
                field = schema[name]
                length = 0
                if name in text_lengths:
                    length = text_lengths[name][index]
                elif field.indexed:
                    postings = self._other[name]
                    for btext, freq, weight, vbytes in field.index(value):
                        length += freq if field.scorable else 0
                        docnums, weights, values = postings.setdefault(btext, (array("I"), array("f"), []))
                        docnums.append(docnum)
                        weights.append(weight)
                        values.append(vbytes)
                if length:
                    lengths = self._lengths[name]
                    lengths.extend(itertools.repeat(0, docnum + 1 - len(lengths)))
                    lengths[docnum] = byte_to_length(length_to_byte(length))
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
            perdoc.finish_doc()
            self._added = True
            self.docnum += 1

    def _posting_lists(self, name: str) -> Iterator[tuple[bytes, array, array, list[bytes]]]:
        if name in self._text:
            for plist in self._text.pop(name).posting_lists():
                yield plist.term.encode("utf-8"), plist.docnums, plist.weights, plist.values
        else:
            postings = self._other.pop(name)
            for btext in sorted(postings):
                yield btext, *postings[btext]

    def _flush_segment(self):
        self.perdocwriter.close()
        fw, limit = self.fieldwriter, self.codec._blocklimit
        for name in sorted({*self._text, *self._other}):
            lengths = self._lengths.get(name)
            if lengths is not None:
                lengths.extend(itertools.repeat(0, self.docnum - len(lengths)))
            fw.start_field(name, self.schema[name])
            for btext, docnums, weights, values in self._posting_lists(name):
                _write_posting_list(fw, btext, docnums, weights, values, lengths, limit)
            fw.finish_field()
        fw.close()


def write_segment(index_dir: str, docs: list[Document]):
    """Write ``docs`` as one new segment of the index in ``index_dir`` (not yet listed in its TOC).

    Runs in a rebuild's worker processes, or in-process for small rebuilds. Returns the Whoosh segment.
    """
    writer = BulkWriter(whoosh_index.open_dir(index_dir), _lk=False)
    writer.write(docs)
    segment = writer._finalize_segment()
    # Not writer._finish(): it deletes the temp directory the other workers are writing in. The commit that
    # lists the segments does that. (On an error the whole generation is deleted.)
    writer.is_closed = True
    return segment


def _worker_ready() -> None:
    """A first task for a rebuild's process pool: unpickling it makes each worker import this module."""


class Rebuild:
    """Build a fresh generation beside the current one, then swap it in (used by ``update_index``).

    Documents are cut into segments of ``SEGMENT_DOCS``. Each full segment goes to one of ``workers``
    processes (default: one per CPU; the analysis is CPU-bound Python) while this process keeps reading the
    database; the last, partial segment is written here. A rebuild smaller than one segment, or one with a
    single worker, starts no process.
    """

    #: Documents per segment: bounds a writer's memory (peak ~310 MB in the largest process at 10,000 docs).
    SEGMENT_DOCS = 2500

    def __init__(self, store: IndexStore, workers: int | None = None):
        self.store = store
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.generation: str | None = None
        self._rebuild_lock = None
        self._batch: list[Document] = []
        self._segments: list = []  # Whoosh segments, or futures of them, in document order
        self._pool: ProcessPoolExecutor | None = None

    @property
    def index_dir(self) -> str:
        return str(self.store.root / self.generation)

    def start(self) -> None:
        store = self.store
        store.root.mkdir(parents=True, exist_ok=True)
        lock = file_lock(store.root / "rebuild.lock", timeout=0)
        try:
            lock.__enter__()
        except IndexLockTimeout:
            raise RebuildInProgress(f"another update_index is rebuilding {store.root}") from None
        self._rebuild_lock = lock
        try:
            with store.write_lock():
                self.generation = store._new_generation()
                store._write_meta(self.generation, complete=False, created=_now())
                tmp = store.root / "REBUILDING.tmp"
                tmp.write_text(self.generation)
                os.replace(tmp, store.rebuilding_file)
        except BaseException:
            self.abort()
            raise

    def add(self, docs: Iterable[Document]) -> None:
        for doc in docs:
            self._batch.append(doc)
            if len(self._batch) == self.SEGMENT_DOCS // 4 and self._pool is None and self.workers > 1:
                self._start_pool()  # big enough to need it: the workers start up while this batch fills
            if len(self._batch) >= self.SEGMENT_DOCS:
                self._write_batch(background=self.workers > 1)

    def _start_pool(self) -> None:
        # spawn: the workers need none of this process's state (database connections, threads).
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        self._pool.submit(_worker_ready)  # starts the processes now; they import this module meanwhile

    def _write_batch(self, background: bool) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        if not background:
            self._segments.append(write_segment(self.index_dir, batch))
            return
        if self._pool is None:
            self._start_pool()
        self._segments.append(self._pool.submit(write_segment, self.index_dir, batch))

    def _commit_segments(self) -> None:
        """List every written segment in the generation's TOC (one commit, no merging)."""
        self._write_batch(background=False)
        segments = [s.result() if isinstance(s, Future) else s for s in self._segments]
        self._segments = []
        self._shutdown_pool()
        writer = SegmentWriter(whoosh_index.open_dir(self.index_dir))
        writer.commit(mergetype=lambda _writer, existing: [*existing, *segments])

    def _shutdown_pool(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

    def finish(self, replay: Replay) -> int:
        """Commit, replay what writers changed meanwhile, point CURRENT here. Returns replayed entries."""
        store, generation = self.store, self.generation
        try:
            self._commit_segments()
            with store.write_lock():
                journal_path = store.root / generation / "journal.jsonl"
                entries = []
                if journal_path.exists():
                    entries = [
                        tuple(json.loads(line)) for line in journal_path.read_text().splitlines() if line
                    ]
                if entries:
                    docs, delete_ids = replay(entries)
                    writer = whoosh_index.open_dir(str(store.root / generation)).writer()
                    for doc_id in delete_ids:
                        writer.delete_by_term("doc_id", doc_id)
                    for doc in docs:
                        writer.update_document(**doc)
                    writer.commit()
                    journal_path.unlink()
                store._write_meta(generation, complete=True, created=_now())
                previous = store.current_generation()
                store._set_current(generation)
                store.rebuilding_file.unlink(missing_ok=True)
                self._remove_old_generations(keep={generation, previous})
            return len(entries)
        except BaseException:
            self.abort()
            raise
        finally:
            self._release()

    def abort(self) -> None:
        """Drop the half-built generation; the current one is untouched."""
        self._batch, self._segments = [], []
        self._shutdown_pool(cancel=True)
        store = self.store
        if self.generation and store.current_generation() != self.generation:
            with store.write_lock():
                store.rebuilding_file.unlink(missing_ok=True)
            shutil.rmtree(store.root / self.generation, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._rebuild_lock is not None:
            self._rebuild_lock.__exit__(None, None, None)
            self._rebuild_lock = None

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        for path in self.store.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
