"""The index on disk: concurrent writers, atomic rebuilds, missing/corrupt index detection."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from modelsearch.backends import get_search_backend

from tests.search.testapp.models import Notice
from website.search.checks import search_index_check
from website.search.storage import IndexLockTimeout, IndexStore


def doc(number: int) -> dict[str, str]:
    return {"doc_id": f"t:{number}", "pk": str(number), "ct": "t", "f_title": f"客戶投訴{number}"}


def indexed_ids(store: IndexStore) -> set[str]:
    return store.document_ids()


def _write_from_process(root: str, start: int, barrier) -> None:
    store = IndexStore(root, lock_timeout=30)
    barrier.wait()
    for number in range(start, start + 8):
        store.update([doc(number)], [], [])


# --- Concurrent writers ----------------------------------------------------------------------------------


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    """Like two gunicorn workers publishing at the same moment: each waits for the lock, none fails."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_write_from_process, args=(str(tmp_path), start, barrier)) for start in (0, 100)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    store = IndexStore(tmp_path)
    assert indexed_ids(store) == {f"t:{n}" for n in [*range(8), *range(100, 108)]}


def test_threads_saving_objects_at_once_all_reach_the_index(backend):
    errors: list[BaseException] = []

    def add(start: int) -> None:
        try:
            for number in range(start, start + 5):
                backend.add(Notice(pk=number, title=f"可疑交易{number}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(start,)) for start in (1, 101, 201, 301)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(indexed_ids(backend.store)) == 20


def test_a_writer_waits_for_the_lock_instead_of_failing(backend):
    waited = threading.Event()

    def add() -> None:
        backend.add(Notice(pk=7, title="身份核實"))
        waited.set()

    with backend.store.write_lock():
        thread = threading.Thread(target=add)
        thread.start()
        time.sleep(0.4)
        assert not waited.is_set()  # still waiting, not failed
    thread.join(30)
    assert waited.is_set()
    assert indexed_ids(backend.store) == {"searchtestapp.notice:7"}


def test_lock_timeout_is_an_error_for_writers_but_a_save_still_succeeds(index_dir, settings, db, caplog):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "website.search.backend", "PATH": str(index_dir), "LOCK_TIMEOUT": 0.2}
    }
    backend = get_search_backend()
    with backend.store.write_lock():
        with pytest.raises(IndexLockTimeout):
            backend.add(Notice(pk=1, title="資料更新"))
        with caplog.at_level(logging.ERROR):
            notice = Notice.objects.create(title="資料更新")  # the save is not blocked by a busy index
    assert Notice.objects.filter(pk=notice.pk).exists()
    assert "Exception raised while adding <Notice: 資料更新>" in caplog.text
    assert "still locked" in caplog.text


# --- Rebuilds --------------------------------------------------------------------------------------------


def test_update_index_indexes_pages_notices_and_people(backend, make_notice, make_procedure, make_staff):
    make_notice("反洗錢培訓")
    make_procedure("反洗錢程序")
    make_staff("alice", display_name="洗錢調查員")
    backend.reset_indexes()  # empty: everything must come back from update_index
    assert Notice.objects.search("洗錢").count() == 0
    call_command("update_index", verbosity=0)
    assert Notice.objects.search("洗錢").count() == 1
    from wagtail.models import Page

    from people.models import StaffProfile

    assert Page.objects.search("洗錢").count() == 1
    assert [p.display_name for p in backend.search("調查員", StaffProfile)] == ["洗錢調查員"]
    assert backend.status().ok


def test_searches_keep_working_during_a_rebuild(backend, make_notice):
    for number in range(30):
        make_notice(f"服務補救{number}")
    rebuilder = backend.rebuilder_class(backend.get_index_for_model(Notice))
    building = rebuilder.start()
    building.add_items(Notice, list(Notice.objects.all()[:10]))
    # Mid-rebuild the live index is untouched: all 30 still found.
    assert Notice.objects.search("補救").count() == 30
    building.add_items(Notice, list(Notice.objects.all()[10:]))
    Notice.objects.filter(title="服務補救0").update(title="改名")  # no signal: only a rebuild sees it
    assert Notice.objects.search("補救").count() == 30
    rebuilder.finish()
    assert Notice.objects.search("補救").count() == 30
    assert len(list(backend.store.root.glob("gen-*"))) == 2  # the new one and the previous one


def test_a_reader_never_sees_a_half_built_index(backend, make_notice):
    for number in range(40):
        make_notice(f"滿意度調查{number}")
    call_command("update_index", verbosity=0)
    expected = len(backend.store.document_ids())  # the notices plus Wagtail's initial pages
    assert expected >= 40
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        store = IndexStore(backend.store.root)
        while not stop.is_set():
            counts.append(len(store.document_ids()))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            call_command("update_index", verbosity=0, chunk_size=5)
    finally:
        stop.set()
        reader.join(30)
    assert counts and set(counts) == {expected}


def test_changes_made_during_a_rebuild_are_replayed_into_the_new_index(backend, make_notice):
    kept = make_notice("信用卡掛失")
    removed = make_notice("信用卡爭議")
    rebuilder = backend.rebuilder_class(backend.get_index_for_model(Notice))
    building = rebuilder.start()
    building.add_items(Notice, [kept, removed])
    added = make_notice("信用卡額度")  # indexed live and journaled for the new generation
    removed.delete()
    rebuilder.finish()
    assert {n.title for n in Notice.objects.search("信用卡")} == {"信用卡掛失", "信用卡額度"}
    assert added.pk in {n.pk for n in Notice.objects.search("額度")}


def test_a_crashed_rebuild_leaves_the_live_index_alone(backend, make_notice):
    make_notice("熱線服務")
    rebuilder = backend.rebuilder_class(backend.get_index_for_model(Notice))
    rebuilder.start()
    rebuilder.rebuild.abort()
    make_notice("熱線轉介")  # writers are not stuck journaling into an abandoned generation
    assert Notice.objects.search("熱線").count() == 2
    assert backend.status().ok


# --- Missing and corrupt index ---------------------------------------------------------------------------


def _check_messages() -> list[str]:
    return [f"{m.id} {m.msg} {m.hint}" for m in search_index_check(databases=["default"])]


def test_an_empty_index_is_healthy(backend):
    results = Notice.objects.search("投訴")
    assert list(results) == [] and results.count() == 0
    assert not results.index_unavailable
    assert backend.status().ok


def test_missing_index_is_reported_and_searches_return_nothing(
    tmp_path, settings, db, caplog, expect_search_errors
):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "website.search.backend", "PATH": str(tmp_path / "x")}
    }
    messages = _check_messages()
    assert len(messages) == 1 and "sitesearch.W001" in messages[0] and "update_index" in messages[0]
    assert search_index_check() == []  # plain `check` (no databases) leaves it to `migrate` / `--database`
    out = StringIO()
    call_command("check", databases=["default"], stdout=out, stderr=out)
    assert "sitesearch.W001" in out.getvalue()
    with caplog.at_level(logging.ERROR):
        results = Notice.objects.search("投訴")
        assert list(results) == [] and results.count() == 0
    assert results.index_unavailable
    assert "manage.py update_index" in caplog.text


def test_first_write_into_a_missing_index_creates_an_incomplete_one(tmp_path, settings, db):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "website.search.backend", "PATH": str(tmp_path / "x")}
    }
    notice = Notice.objects.create(title="投訴熱線")
    assert [n.pk for n in Notice.objects.search("投訴")] == [notice.pk]
    assert get_search_backend().status().problem == "incomplete"
    assert "sitesearch.W004" in _check_messages()[0]
    call_command("update_index", verbosity=0)
    assert _check_messages() == []


def test_corrupt_index_is_detected_and_fixed_by_update_index(
    backend, make_notice, caplog, expect_search_errors
):
    make_notice("投訴處理")
    assert _check_messages() == []
    generation = backend.store.root / backend.store.current_generation()
    for toc in generation.glob("*.toc"):
        toc.write_bytes(b"\x00garbage")
    backend.store.clear_cache()
    assert backend.status().problem == "corrupt"
    assert "sitesearch.W002" in _check_messages()[0]
    with caplog.at_level(logging.ERROR):
        results = Notice.objects.search("投訴")
        assert list(results) == []
    assert results.index_unavailable
    call_command("update_index", verbosity=0)
    assert backend.status().ok
    assert Notice.objects.search("投訴").count() == 1


def test_damaged_segment_files_give_empty_results_not_errors(backend, make_notice, expect_search_errors):
    make_notice("投訴處理")
    generation: Path = backend.store.root / backend.store.current_generation()
    for segment_file in generation.glob("*.seg"):
        segment_file.write_bytes(b"")
    for postings in generation.glob("*.pst"):
        postings.write_bytes(b"")
    backend.store.clear_cache()
    results = Notice.objects.search("投訴")
    assert list(results) == [] and results.index_unavailable
    assert not backend.status().ok


def test_an_index_from_an_older_schema_is_reported(backend):
    generation = backend.store.current_generation()
    backend.store._write_meta(generation, complete=True, schema=0)
    assert backend.status().problem == "outdated"
    assert "sitesearch.W003" in _check_messages()[0]
