"""Concurrent writers against the record ledger, on a fresh SQLite file and/or a fresh PostgreSQL database.

    .venv/bin/python bench/ledger_concurrency.py [--procs 8] [--per-proc 500] [--backends sqlite,postgres]

Each backend: create and migrate an empty database, create one user, start N processes that wait at a
barrier and then all call ``record_append`` as fast as they can, count errors per process, run
``manage.py verify_records``, print a table and drop the database. Exits 1 if any record was lost, any
append failed or the chain does not verify.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "website.settings.dev"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


@dataclass
class Outcome:
    backend: str
    procs: int
    per_proc: int
    written: int = 0
    errors: int = 0
    first_error: str = ""
    in_db: int = 0
    chain: str = "not verified"
    wall: float = 0.0
    verify_wall: float = 0.0

    @property
    def expected(self) -> int:
        return self.procs * self.per_proc

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.written == self.in_db == self.expected and self.chain == "intact"


def django_env(database_url: str) -> dict[str, str]:
    # A fresh database has no anchors: keep the developer's anchor file (var/ledger-anchors) out of it.
    anchors = str(Path(tempfile.gettempdir()) / f"servewell-bench-anchors-{os.getpid()}")
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "LEDGER_ANCHOR_DIR": anchors,
    }


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=django_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )


def setup_django(database_url: str) -> None:
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_actor(database_url: str, queue: mp.Queue) -> None:
    """Child process: make the bench's acting user and report its pk."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-writer", defaults={"first_name": "Bench"}
    )
    queue.put(user.pk)


def writer(
    database_url: str, user_pk: int, n: int, per_proc: int, ready: Barrier, go: Event, queue: mp.Queue
) -> None:
    """Child process: wait for the start signal, append ``per_proc`` records, report (written, errors)."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connections

    from ledger.services import record_append

    user = get_user_model().objects.get(pk=user_pk)  # also opens this process's connection
    ready.wait()
    go.wait()
    written = errors = 0
    first_error = ""
    for i in range(per_proc):
        try:
            record_append(  # not a kb acknowledgement: verify_records would look for its kb row
                kind="review",
                actor=user,
                subject_type="bench.load",
                page_id=1000 + n,
                revision_id=i,
                title=f"壓力測試程序 {n}-{i}",
                outcome="reviewed",
                data={"bench": True, "proc": n},
            )
            written += 1
        except Exception as exc:  # counted and reported, the run goes on
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
    connections.close_all()
    queue.put((written, errors, first_error))


def run(backend: str, database_url: str, procs: int, per_proc: int) -> Outcome:
    outcome = Outcome(backend, procs, per_proc)
    migrated = manage(database_url, "migrate", "--noinput", "-v0")
    if migrated.returncode:
        raise SystemExit(f"{backend}: migrate failed:\n{migrated.stderr}")

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    maker = ctx.Process(target=create_actor, args=(database_url, queue))
    maker.start()
    user_pk = queue.get(timeout=120)
    maker.join()

    ready, go = ctx.Barrier(procs + 1), ctx.Event()
    workers = [
        ctx.Process(target=writer, args=(database_url, user_pk, n, per_proc, ready, go, queue))
        for n in range(procs)
    ]
    for process in workers:
        process.start()
    ready.wait(timeout=300)  # every writer has Django loaded and a connection open
    started = time.perf_counter()
    go.set()
    results = [queue.get() for _ in workers]
    outcome.wall = time.perf_counter() - started
    for process in workers:
        process.join()

    for written, errors, first_error in results:
        outcome.written += written
        outcome.errors += errors
        outcome.first_error = outcome.first_error or first_error

    started = time.perf_counter()
    verified = manage(database_url, "verify_records")
    outcome.verify_wall = time.perf_counter() - started
    if verified.returncode == 0:
        outcome.chain = "intact"
        outcome.in_db = int(verified.stdout.split("Ledger intact: ")[1].split(" records")[0].replace(",", ""))
    else:
        outcome.chain = "BROKEN"
        print(verified.stderr, file=sys.stderr)
        counted = manage(
            database_url,
            "shell",
            "--verbosity",
            "0",
            "-c",
            "from ledger.models import Record as R; print(R.objects.count())",
        )
        outcome.in_db = int(counted.stdout.strip() or 0)
    return outcome


def bench_sqlite(procs: int, per_proc: int) -> Outcome:
    folder = tempfile.mkdtemp(prefix="servewell-ledger-bench-")
    try:
        return run("sqlite", f"sqlite:///{folder}/bench.sqlite3", procs, per_proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_postgres(procs: int, per_proc: int) -> Outcome:
    import psycopg

    name = f"servewell_bench_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run("postgres", f"{PG_SERVER}/{name}", procs, per_proc)
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_table(outcomes: list[Outcome]) -> None:
    header = (
        "backend",
        "procs×each",
        "expected",
        "written",
        "in DB",
        "errors",
        "chain",
        "wall s",
        "records/s",
        "verify s",
    )
    rows = [
        (
            o.backend,
            f"{o.procs}×{o.per_proc}",
            str(o.expected),
            str(o.written),
            str(o.in_db),
            str(o.errors),
            o.chain,
            f"{o.wall:.2f}",
            f"{o.written / o.wall:,.0f}" if o.wall else "-",
            f"{o.verify_wall:.2f}",
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    for o in outcomes:
        if o.first_error:
            print(f"{o.backend}: first error: {o.first_error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--per-proc", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    args = parser.parse_args()
    runners = {"sqlite": bench_sqlite, "postgres": bench_postgres}
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if unknown := [name for name in backends if name not in runners]:
        parser.error(f"unknown backend(s): {', '.join(unknown)}")
    print(f"ledger_concurrency: {args.procs} processes × {args.per_proc} appends, started together")
    outcomes = [runners[name](args.procs, args.per_proc) for name in backends]
    print_table(outcomes)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
