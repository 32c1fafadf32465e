"""The rebuild's bulk writer and worker processes produce the index Whoosh's own writer would."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from website.search import postings as postings_module
from website.search.postings import FieldPostings
from website.search.storage import (
    AUTOCOMPLETE_PREFIX,
    SEARCH_PREFIX,
    BulkWriter,
    IndexStore,
    Rebuild,
    make_schema,
    write_segment,
)

WORDS = ["客戶", "投訴", "處理", "反洗錢", "可疑交易", "身份核實", "資料", "更新", "系統", "故障", "回覆"]
LATIN = ["AML", "KYC", "cards", "Processing", "FPS", "ＡＴＭ", "OTP"]


EDGE_CASES = [
    "ＡＴＭ故障；Café　ΣΟΦΟΣ İstanbul",  # fullwidth, accents, Greek final sigma, dotted I
    "カタカナ・ひらがな゛ー長音 한국어 𠀋𡈽",  # non-word characters in the CJK ranges, Hangul, Extension B
    "x" * 65 + " 超長單詞後 " + "y" * 64,  # words over 64 characters are not indexed
    "foo_bar 客戶_投訴 ①②③ ㈱銀行 ℡ ½",  # underscores split words; compatibility characters
    "多行\n文字\n\n投訴 " + "投訴處理" * 40,  # newlines inside a value; a term repeated in one document
    "",
]


def _documents(count: int, seed: int = 7) -> list[dict[str, str]]:
    """Documents with repeated and shared terms (posting lists longer than a 128-posting block)."""
    rnd = random.Random(seed)
    docs = []
    for i in range(count):
        gaps = ["，", "。", "", " ", rnd.choice(LATIN)]
        body = "".join(rnd.choice(WORDS) + rnd.choice(gaps) for _ in range(40))
        if i < len(EDGE_CASES):
            body = EDGE_CASES[i]
        title = rnd.choice(WORDS) + rnd.choice(WORDS) + ("程序" if i % 3 else "")
        doc = {
            "doc_id": f"testapp.notice:{i}",
            "pk": str(i),
            "ct": "testapp.notice",
            SEARCH_PREFIX + "title": title,
            SEARCH_PREFIX + "body": body,
            AUTOCOMPLETE_PREFIX + "title": title,
        }
        if i % 5 == 0:
            doc[SEARCH_PREFIX + "code"] = f"CS-{i:03d} 第{i % 4}版"
        docs.append(doc)
    return docs


def _dump_segment(reader) -> dict:
    """What a search reads from one segment: terms, postings, blocks, statistics, lengths, stored fields."""
    postings = {}
    for fieldname, btext in reader.all_terms():
        info = reader.term_info(fieldname, btext)
        matcher = reader.postings(fieldname, btext)
        items, blocks = [], []
        while matcher.is_active():
            blocks.append(
                (
                    matcher.block_min_id(),
                    matcher.block_max_id(),
                    matcher.block_max_weight(),
                    matcher.block_min_length(),
                    matcher.block_max_length(),
                )
            )
            last = matcher.block_max_id()
            while matcher.is_active() and matcher.id() <= last:
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
        stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
        postings[(fieldname, btext)] = (stats, items, blocks)
    count = reader.doc_count_all()
    fields = list(reader.indexed_field_names())
    return {
        "postings": postings,
        "lengths": {name: [reader.doc_field_length(d, name) for d in range(count)] for name in fields},
        "totals": {name: reader.field_length(name) for name in fields},
        "stored": list(reader.all_stored_fields()),
        "pks": list(reader.column_reader("pk")),
    }


def _dump(index_dir) -> list[dict]:
    """Each segment of the index in ``index_dir``, in order."""
    with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
        return [_dump_segment(leaf) for leaf, _base in searcher.reader().leaf_readers()]


def test_bulk_writer_writes_what_whoosh_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(BulkWriter, "BLOCK_POSTINGS", 128)  # Whoosh's block size: the same blocks both ways
    docs = _documents(300)
    whoosh_dir, bulk_dir = tmp_path / "whoosh", tmp_path / "bulk"
    for path in (whoosh_dir, bulk_dir):
        path.mkdir()
        whoosh_index.create_in(str(path), make_schema())

    writer = whoosh_index.open_dir(str(whoosh_dir)).writer(codec=W3Codec(blocklimit=128, compression=0))
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()

    segment = write_segment(str(bulk_dir), docs)
    whoosh_index.open_dir(str(bulk_dir)).writer().commit(mergetype=lambda _w, existing: [*existing, segment])

    [expected], [got] = _dump(whoosh_dir), _dump(bulk_dir)
    assert len(expected["postings"]) > 500
    assert max(len(blocks) for _, _, blocks in expected["postings"].values()) > 1  # several blocks per term
    assert got["postings"].keys() == expected["postings"].keys()
    assert got == expected


def test_field_postings_group_by_term_then_document():
    postings = FieldPostings(["乙甲乙 AML", "", "甲"], stem=True)
    assert postings.lengths.tolist() == [6, 0, 1]
    lists = {p.term: p for p in postings.posting_lists()}
    assert list(lists) == ["aml", "乙", "乙甲", "甲", "甲乙"]  # code point order
    fmt = make_schema()[SEARCH_PREFIX + "body"].format
    assert list(lists["甲"].docnums) == [0, 2] and list(lists["甲"].weights) == [1.0, 1.0]
    assert [list(fmt.decode_positions(v)) for v in lists["甲"].values] == [[1], [0]]
    assert list(lists["乙"].weights) == [2.0] and lists["乙"].values == [fmt.encode([0, 2])]
    assert [list(fmt.decode_positions(v)) for v in lists["aml"].values] == [[3]]


def test_field_postings_refuse_positions_beyond_the_sort_key(monkeypatch):
    monkeypatch.setattr(postings_module, "_POS_BITS", 2)
    with pytest.raises(ValueError, match="too large"):
        list(FieldPostings(["甲乙丙丁戊"], stem=True).posting_lists())


def _rebuild(root, docs, workers: int) -> IndexStore:
    store = IndexStore(root, rebuild_workers=workers)
    rebuild = store.rebuild()
    rebuild.start()
    rebuild.add(docs)
    rebuild.finish(lambda entries: ([], []))
    return store


def test_rebuild_in_worker_processes_matches_a_single_process(tmp_path, monkeypatch):
    monkeypatch.setattr(Rebuild, "SEGMENT_DOCS", 40)
    docs = _documents(130)  # three full segments for the workers, the last ten documents in-process
    single = _rebuild(tmp_path / "single", docs, workers=1)
    parallel = _rebuild(tmp_path / "parallel", docs, workers=2)

    assert parallel.status().ok and parallel.status().documents == 130
    generation = tmp_path / "parallel" / parallel.current_generation()
    assert len(whoosh_index.open_dir(str(generation)).reader().leaf_readers()) == 4
    assert not [p for p in generation.iterdir() if p.is_dir()]  # no temp directories left behind
    # The same documents cut into the same segments, in the same order: the same index.
    assert _dump(tmp_path / "parallel" / parallel.current_generation()) == _dump(
        tmp_path / "single" / single.current_generation()
    )


def test_a_failing_worker_aborts_the_rebuild_and_keeps_the_live_index(tmp_path, monkeypatch):
    monkeypatch.setattr(Rebuild, "SEGMENT_DOCS", 20)
    store = _rebuild(tmp_path / "index", _documents(30), workers=1)
    live = store.current_generation()

    broken = _documents(50)
    broken[25]["no_such_field"] = "x"  # in the second segment, written by a worker
    rebuild = store.rebuild()
    rebuild.workers = 2
    rebuild.start()
    rebuild.add(broken)
    with pytest.raises(Exception, match="no_such_field"):
        rebuild.finish(lambda entries: ([], []))

    assert store.current_generation() == live
    assert store.status().ok and store.status().documents == 30
    assert sorted(p.name for p in (tmp_path / "index").glob("gen-*")) == [live]
