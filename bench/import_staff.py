"""A large HR import beside concurrent writes, today's path against the old single-transaction one.

    .venv/bin/python bench/import_staff.py [--rows 24678] [--modes old,new] [--keep]

Makes a fresh, migrated SQLite file (WAL, IMMEDIATE, 20 s timeout: the production options) with 40
departments and 12 positions, and a CSV shaped like a real HR export (24,678 rows, 4.4 MB: Chinese names,
a supervisor tree 5 levels deep, extra HR columns the import ignores). Then, for each mode, on its own copy
of that database, a child process imports the file while another process (as another gunicorn worker
would) appends an evidence record, what an acknowledgement writes, every 0.2 s, and reports:

- validate: parse + validate (the preview's work), seconds;
- write tx: how long the write transaction held the lock, seconds;
- writer max / p50: the longest and the median wait of the concurrent writes, seconds;
- writer failed: concurrent writes that gave up ("database is locked" after the 20 s timeout).

``old`` is the path before #9 item 8, kept here only as the baseline: validation and per-row saves
(``StaffProfile.save``: closure rows, login flag, search index per person) all in one transaction.
Search uses Wagtail's database backend in both modes (a Whoosh commit per saved person would make the
baseline take hours).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "website.settings.dev"
SURNAMES = "陳李張黃何林吳劉梁鄭謝郭羅蔡馮曾鄧許蕭朱"
GIVEN = "美玲家豪嘉欣志明詠詩俊傑子健慧敏偉強凱琳浩然雅婷建華淑儀文傑"
DISTRICTS = ["中環", "旺角", "觀塘", "沙田", "荃灣", "銅鑼灣", "尖沙咀", "將軍澳", "屯門", "元朗"]


def env(database_url: str, scratch: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SEARCH_BACKEND": "database",
        "LEDGER_ANCHOR_DIR": str(scratch / "anchors"),
    }


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the file -----------------------------------------------------------------------------------------


def hr_file(rows: int, path: Path) -> None:
    """A CSV like an HR system's export: the import's columns plus others it ignores."""
    rng = random.Random(9)
    header = [
        "員工編號",
        "姓名",
        "電郵",
        "部門",
        "職位",
        "主管員工編號",
        "入職日期",
        "在職",
        "英文姓名",
        "成本中心",
        "辦公地點",
        "內線電話",
        "職級",
        "合約類別",
        "備註",
    ]
    lines = [",".join(header)]
    numbers = [f"E{200000 + n}" for n in range(rows)]
    for n, emp in enumerate(numbers):
        # A tree: the first 8 report to nobody, then everyone reports to someone listed before them.
        supervisor = "" if n < 8 else numbers[(n - 8) // 8]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        dept = f"D{n % 40:02d}"
        position = f"P{(0 if n < 8 else 1 + n % 11):02d}"
        hired = f"20{rng.randint(5, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        district = rng.choice(DISTRICTS)
        lines.append(
            ",".join(
                [
                    emp,
                    name,
                    f"{emp.lower()}@bank.example.hk",
                    dept,
                    position,
                    supervisor,
                    hired,
                    "在職",
                    f"Staff Member {n}",
                    f"CC-{n % 700:04d}",
                    f"香港{district}分行客戶服務中心第{n % 30 + 1}樓",
                    f"2{n % 10000:04d}",
                    f"G{n % 9 + 1}",
                    "長期合約",
                    "由人力資源系統每日匯出" if n % 4 == 0 else "",
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def seed() -> int:
    """Departments, positions and the concurrent writer's login (child process, Django set up)."""
    from django.contrib.auth import get_user_model

    from people.models import Department, Position

    Department.objects.bulk_create(
        [Department(code=f"D{n:02d}", name=f"客戶服務部第{n + 1}組") for n in range(40)]
    )
    Position.objects.bulk_create(
        [Position(code="P00", name="客戶服務總監", is_supervisory=True)]
        + [Position(code=f"P{n:02d}", name=f"客戶服務職位{n}", is_supervisory=n < 4) for n in range(1, 12)]
    )
    return get_user_model().objects.create(username="bench-writer").pk


# --- the old path (baseline only) ---------------------------------------------------------------------


def old_import(rows):
    """Before #9 item 8: validate and save row by row, all inside one transaction."""
    from django.db import transaction

    from people import importing
    from people.services import staff_set_active

    with transaction.atomic():
        planned = importing._plan(rows)
        result = importing.ImportResult(rows=[importing._describe(p) for p in planned], dry_run=False)
        changed = [p for p, r in zip(planned, result.rows, strict=True) if r.action != importing.UNCHANGED]
        _old_apply(changed, staff_set_active)
    return result


def _old_apply(planned, staff_set_active) -> None:
    from django.contrib.auth import get_user_model

    from people.models import StaffProfile

    user_model = get_user_model()
    pk_by_emp = dict(StaffProfile.objects.values_list("employee_number", "pk"))
    in_file = {p.employee_number: p for p in planned}
    ordered, placed = [], set()
    for item in planned:  # supervisors first
        chain, node = [], item
        while node is not None and node.employee_number not in placed:
            chain.append(node)
            placed.add(node.employee_number)
            node = in_file.get(node.supervisor)
        ordered.extend(reversed(chain))
    for item in ordered:
        supervisor_id = pk_by_emp[item.supervisor] if item.supervisor else None
        if item.existing is None:
            user = user_model(username=item.username, email=item.email, is_active=item.active)
            user.set_unusable_password()
            user.save()
            profile = StaffProfile(
                user=user,
                employee_number=item.employee_number,
                display_name=item.name,
                department=item.department,
                position=item.position,
                supervisor_id=supervisor_id,
                hire_date=item.hire_date,
                is_active=item.active,
            )
            profile.save()
            pk_by_emp[item.employee_number] = profile.pk
        elif item.existing.is_active != item.active:
            staff_set_active(item.existing, active=item.active)


# --- one mode, in a child process -----------------------------------------------------------------------


def writer_process(writer_pk: int, stop, queue) -> None:
    """Another worker process (as gunicorn runs them): an evidence record every 0.2 s, each timed."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from ledger.services import record_append

    user = get_user_model().objects.get(pk=writer_pk)
    waits: list[float] = []
    failures: list[str] = []
    n = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            record_append(
                kind="review",
                actor=user,
                subject_type="bench.import",
                page_id=1,
                revision_id=n,
                title=f"匯入期間的確認 {n}",
                outcome="reviewed",
            )
        except Exception as exc:  # reported, the loop goes on
            failures.append(f"{type(exc).__name__}: {exc}")
        waits.append(time.perf_counter() - started)
        n += 1
        stop.wait(0.2)
    connections.close_all()
    queue.put((waits, failures))


def child(mode: str, csv_path: Path, writer_pk: int) -> dict:
    import multiprocessing

    setup_django()
    from django.db import connection, transaction

    from people import importing

    ctx = multiprocessing.get_context("spawn")
    stop, queue = ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=writer_process, args=(writer_pk, stop, queue))
    writer.start()
    time.sleep(5.0)  # the writer starts Django and shows the idle latency

    # Time the write transaction: from the BEGIN IMMEDIATE that takes the lock to COMMIT.
    spans: dict[str, float] = {}
    original_atomic_enter = transaction.Atomic.__enter__
    original_atomic_exit = transaction.Atomic.__exit__

    main_thread = threading.current_thread()

    def enter(self):
        if threading.current_thread() is main_thread and not connection.in_atomic_block:
            spans["tx_start"] = time.perf_counter()
        return original_atomic_enter(self)

    def exit_(self, *exc):
        result = original_atomic_exit(self, *exc)
        mine = threading.current_thread() is main_thread
        if mine and not connection.in_atomic_block and "tx_start" in spans and "tx" not in spans:
            spans["tx"] = time.perf_counter() - spans["tx_start"]
        return result

    started = time.perf_counter()
    with csv_path.open("rb") as handle:
        rows = importing.parse_staff_file(handle, csv_path.name)
    if mode == "old":
        transaction.Atomic.__enter__, transaction.Atomic.__exit__ = enter, exit_
        result = old_import(rows)
        validate = None  # inside the transaction: part of "write tx"
    else:
        importing.staff_import(rows, dry_run=True)  # the preview the admin screen runs first
        validate = time.perf_counter() - started
        transaction.Atomic.__enter__, transaction.Atomic.__exit__ = enter, exit_
        result = importing.staff_import(rows)
    total = time.perf_counter() - started
    transaction.Atomic.__enter__, transaction.Atomic.__exit__ = original_atomic_enter, original_atomic_exit
    time.sleep(1.0)
    stop.set()
    waits, failures = queue.get(timeout=120)
    writer.join()
    return {
        "mode": mode,
        "created": result.created,
        "validate": validate,
        "tx": spans.get("tx"),
        "total": total,
        "writes": len(waits),
        "max_wait": max(waits),
        "p50_wait": statistics.median(waits),
        "failed": len(failures),
        "first_failure": failures[0] if failures else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=24678)
    parser.add_argument("--modes", default="old,new")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "CSV", "WRITER_PK"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, csv_path, writer_pk = args.child
        print(json.dumps(child(mode, Path(csv_path), int(writer_pk))))
        return
    if args.seed:
        setup_django()
        print(seed())
        return

    scratch = Path(tempfile.mkdtemp(prefix="servewell-import-bench-"))
    try:
        template = scratch / "template.sqlite3"
        base_env = env(f"sqlite:///{template}", scratch)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=base_env, check=True
        )
        writer_pk = subprocess.run(
            [sys.executable, __file__, "--seed"], env=base_env, check=True, capture_output=True, text=True
        ).stdout.strip()
        csv_path = scratch / "hr-export.csv"
        hr_file(args.rows, csv_path)
        print(f"file: {args.rows} rows, {csv_path.stat().st_size / 1e6:.1f} MB")
        results = []
        for mode in args.modes.split(","):
            db = scratch / f"{mode}.sqlite3"
            shutil.copy(template, db)
            done = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(csv_path), writer_pk],
                env=env(f"sqlite:///{db}", scratch),
                check=False,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{mode} failed:\n{done.stderr}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))

        def fmt(value) -> str:
            return "—" if value is None else f"{value:.2f}"

        print(
            f"{'mode':<5} {'created':>7} {'validate s':>10} {'write tx s':>10} {'total s':>8} "
            f"{'writes':>6} {'writer max s':>12} {'writer p50 s':>12} {'failed':>6}"
        )
        for r in results:
            print(
                f"{r['mode']:<5} {r['created']:>7} {fmt(r['validate']):>10} {fmt(r['tx']):>10} "
                f"{fmt(r['total']):>8} {r['writes']:>6} {fmt(r['max_wait']):>12} {fmt(r['p50_wait']):>12} "
                f"{r['failed']:>6}"
            )
            if r["first_failure"]:
                print(f"      first failure: {r['first_failure']}")
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
