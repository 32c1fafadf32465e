"""Reports at bank scale, in one run, on the synthetic bank of ``manage.py generate_scale_data``:

    DATABASE_URL=sqlite:////tmp/scale.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/scale.sqlite3 .venv/bin/python manage.py generate_scale_data
    DATABASE_URL=sqlite:////tmp/scale.sqlite3 .venv/bin/python bench/reports.py [--repeat 7]

Measures, through Django's test client (middleware, queries, templates: the server's time, no network):
the team dashboard for a supervisor with about 500 reports and one with about 50 (median time, query count),
a person's timeline, the org-wide appraisal XLSX and CSV for HR (time; peak Python memory by tracemalloc in
a second run, and the process's maximum RSS), and the raw-SQL lower bounds: one hand-written aggregate of
the dashboard's per-person counts for the same 500 people, and of the appraisal's counts for everyone.
Prints a Markdown table (docs/performance.md keeps the last one).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assignments.models import Obligation  # noqa: E402
from dashboards.periods import current_period, last_months, period_parse  # noqa: E402
from people.models import OrgPath, StaffProfile  # noqa: E402
from people.roles import HR  # noqa: E402


def median_ms(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm caches (content types, permissions, templates)
    times, result = [], None
    for _n in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def supervisor_with(reports: int) -> tuple[StaffProfile, int]:
    """The supervisor whose subtree size is closest to ``reports``."""
    sizes = (
        OrgPath.objects.filter(depth__gte=1)
        .values("ancestor_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("ancestor_id", "n")
    )
    best = min(sizes, key=lambda pair: abs(pair[1] - reports))
    return StaffProfile.objects.select_related("user").get(pk=best[0]), best[1]


def get(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        get(client, url)
    return len(ctx.captured_queries)


RAW_TEAM = """
SELECT o.person_id, COUNT(*),
       SUM(CASE WHEN o.status IN ('completed_on_time', 'completed_late', 'expired') THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.status = 'overdue' THEN 1 ELSE 0 END)
FROM assignments_obligation o JOIN people_orgpath p ON p.descendant_id = o.person_id
WHERE p.ancestor_id = %s AND p.depth >= 1 AND o.status <> 'withdrawn'
GROUP BY o.person_id
"""
# The rest of what the dashboard shows, as raw SQL over the same rows (SQLite): per-item totals, the 12-month
# chart (due that month, completed before the month's local midnight close, Hong Kong = UTC+8) and the
# department chart for the quarter. With RAW_TEAM these are every count on the page: the fair lower bound.
RAW_TEAM_FROM = """
FROM assignments_obligation o JOIN people_orgpath p ON p.descendant_id = o.person_id
WHERE p.ancestor_id = %s AND p.depth >= 1 AND o.status <> 'withdrawn'
"""
RAW_ITEMS = f"""
SELECT o.target_type_id, o.target_id, COUNT(*),
       SUM(CASE WHEN o.status IN ('completed_on_time', 'completed_late', 'expired') THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.status = 'overdue' THEN 1 ELSE 0 END)
{RAW_TEAM_FROM} GROUP BY o.target_type_id, o.target_id
"""
RAW_MONTHS = f"""
SELECT substr(o.due_date, 1, 7), COUNT(*),
       SUM(CASE WHEN o.completed_at < datetime(date(o.due_date, 'start of month', '+1 month'), '-8 hours')
                THEN 1 ELSE 0 END)
{RAW_TEAM_FROM} AND o.due_date BETWEEN %s AND %s GROUP BY 1
"""
RAW_DEPARTMENTS = """
SELECT s.department_id, COUNT(*), SUM(CASE WHEN o.completed_at IS NOT NULL THEN 1 ELSE 0 END)
FROM assignments_obligation o JOIN people_orgpath p ON p.descendant_id = o.person_id
     JOIN people_staffprofile s ON s.id = o.person_id
WHERE p.ancestor_id = %s AND p.depth >= 1 AND o.status <> 'withdrawn' AND o.due_date BETWEEN %s AND %s
GROUP BY s.department_id
"""
RAW_APPRAISAL = """
SELECT o.person_id, COUNT(*),
       SUM(CASE WHEN o.completed_at IS NOT NULL AND o.completed_at < %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.completed_at IS NOT NULL AND o.completed_at < %s AND DATE(o.completed_at) <= o.due_date
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN (o.completed_at IS NULL OR o.completed_at >= %s) AND o.due_date < %s THEN 1 ELSE 0 END)
FROM assignments_obligation o
WHERE o.status <> 'withdrawn' AND o.due_date BETWEEN %s AND %s
GROUP BY o.person_id
"""


def raw(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--period", default="", help="appraisal quarter, e.g. 2026-Q3 (default: the last one)"
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    staff = StaffProfile.objects.count()
    obligations = Obligation.objects.count()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']};"
        f" {staff} staff, {obligations} obligations"
    )

    if connection.vendor != "sqlite":
        raise SystemExit("The raw-SQL bounds are in SQLite's dialect: run on the SQLite scale database.")
    big, big_n = supervisor_with(500)
    small, small_n = supervisor_with(50)
    hr_profile = StaffProfile.objects.filter(user__groups__name=HR).select_related("user").first()
    if hr_profile is None:
        raise SystemExit("No HR user: run load_demo (the demo has `hr`) before generate_scale_data.")
    period = period_parse("quarter", args.period) if args.period else current_period("quarter").previous()
    rows = []

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    big_client, small_client = client_for(big.user), client_for(small.user)
    dash = "/team/progress/?sort=overdue"
    ms_big, _ = median_ms(lambda: get(big_client, dash), args.repeat)
    ms_small, _ = median_ms(lambda: get(small_client, dash), args.repeat)
    q_big, q_small = queries(big_client, dash), queries(small_client, dash)
    ms_raw_team, _ = median_ms(lambda: raw(RAW_TEAM, [big.pk]), args.repeat)
    rows.append((f"team dashboard, supervisor with {big_n} reports", f"{ms_big:.0f} ms", f"{q_big} queries"))
    rows.append(
        (f"team dashboard, supervisor with {small_n} reports", f"{ms_small:.0f} ms", f"{q_small} queries")
    )
    rows.append(
        (f"raw SQL: per-person counts of the {big_n} (lower bound)", f"{ms_raw_team:.1f} ms", "1 query")
    )
    rows.append(("dashboard ÷ per-person bound", f"{ms_big / ms_raw_team:.1f}×", ""))
    months, quarter = last_months(12), current_period("quarter")

    def every_count() -> int:
        return (
            raw(RAW_TEAM, [big.pk])
            + raw(RAW_ITEMS, [big.pk])
            + raw(RAW_MONTHS, [big.pk, months[0].start, months[-1].end])
            + raw(RAW_DEPARTMENTS, [big.pk, quarter.start, quarter.end])
        )

    ms_raw_page, _ = median_ms(every_count, args.repeat)
    rows.append(
        (
            f"raw SQL: every count on the page for the {big_n} (people, items, 12 months, departments)",
            f"{ms_raw_page:.1f} ms",
            "4 queries",
        )
    )
    rows.append(("dashboard ÷ every-count bound", f"{ms_big / ms_raw_page:.1f}×", ""))

    person = (
        StaffProfile.objects.filter(employee_number__startswith="SB", obligations__isnull=False)
        .annotate(n=Count("obligations"))
        .order_by("-n")
        .first()
    )
    timeline = f"/people/{person.pk}/timeline/"
    hr_client = client_for(hr_profile.user)
    ms_timeline, _ = median_ms(lambda: get(hr_client, timeline), args.repeat)
    rows.append(
        (
            f"person timeline ({person.n} obligations)",
            f"{ms_timeline:.0f} ms",
            f"{queries(hr_client, timeline)} queries",
        )
    )

    close = period.closes_at()
    raw_params = [close, close, close, timezone.localdate(close), period.start, period.end]
    ms_raw_all, n_raw = median_ms(lambda: raw(RAW_APPRAISAL, raw_params), 3)
    for fmt in ("xlsx", "csv"):
        url = f"/team/appraisal/?period=quarter&value={period.value}&format={fmt}"
        start = time.perf_counter()
        size = get(hr_client, url)
        seconds = time.perf_counter() - start
        tracemalloc.start()
        get(hr_client, url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            (
                f"org-wide appraisal {fmt.upper()} {period.value} ({staff} staff, {size / 1e6:.1f} MB)",
                f"{seconds:.2f} s",
                f"peak {peak / 1e6:.0f} MB (tracemalloc)",
            )
        )
    rows.append(
        (f"raw SQL: appraisal counts of everyone ({n_raw} people)", f"{ms_raw_all:.0f} ms", "1 query")
    )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("process maximum RSS over the whole run", f"{maxrss:.0f} MB", ""))

    print("\n| measure | time | detail |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
