"""Re-apply each wrong change of issue 15's table and check that a test now fails (docs/testing.md).

    nice -n 15 .venv/bin/python scripts/issue15_survivors.py            # all of them, a few minutes
    nice -n 15 .venv/bin/python scripts/issue15_survivors.py email      # the ones whose name contains "email"

Each change is made in a temporary copy of the project (never in your checkout), then the test files that
should catch it run there; KILLED means at least one test failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "var", "mutants", "media", "static_collected", "test-artifacts", "node_modules"}

# (name, file, the right code, the wrong code, the tests that must catch it)
CASES = [
    (
        "the record hash leaves out prev_hash",
        "ledger/models.py",
        "return chain_hash(self.prev_hash, self.canonical_json())",
        'return chain_hash("", self.canonical_json())',
        ["tests/ledger/test_known_answers.py"],
    ),
    (
        "the record hash leaves out data",
        "ledger/models.py",
        '                "data": self.data,\n',
        "",
        ["tests/ledger/test_known_answers.py"],
    ),
    (
        "the team query keeps people who left",
        "people/selectors.py",
        "return qs if include_inactive else qs.filter(is_active=True)",
        "return qs",
        ["tests/people/test_org.py", "tests/people/test_views.py"],
    ),
    (
        "the HR import without transaction.atomic()",
        "people/importing.py",
        "            with transaction.atomic():\n                if _stamp() != stamp:",
        "            if True:\n                if _stamp() != stamp:",
        ["tests/people/test_import_halfway.py", "tests/people/test_import.py"],
    ),
    (
        "self-reject allowed",
        "kb/models/workflows.py",
        "        if has_a_hand_in(obj, user):\n            raise PermissionDenied",
        '        if has_a_hand_in(obj, user) and action_name == "approve":\n'
        "            raise PermissionDenied",
        ["tests/kb/test_workflow.py"],
    ),
    (
        "self-reject offered",
        "kb/models/workflows.py",
        "        if has_a_hand_in(obj, user):\n            return []\n",
        "        if has_a_hand_in(obj, user):\n"
        '            return [a for a in super().get_actions(obj, user) if a[0] == "reject"]\n',
        ["tests/kb/test_workflow.py"],
    ),
    (
        "a failed email is never re-queued",
        "notifications/tasks.py",
        "if delivery.status == EmailDelivery.PENDING and default_task_backend.supports_defer:",
        "if False:",
        ["tests/notifications/test_retry_schedule.py"],
    ),
    (
        "the content editor role given ledger and all-staff access",
        "people/roles.py",
        'permissions=("wagtailadmin.access_admin", "quizzes.view_quiz"),',
        'permissions=("wagtailadmin.access_admin", "quizzes.view_quiz", "people.view_all_staff", '
        '"ledger.view_record"),',
        ["tests/people/test_roles.py", "tests/people/test_role_limits.py"],
    ),
    (
        "an acknowledgement's on_time uses < instead of <=",
        "kb/services.py",
        "on_time = timezone.localdate(now) <= due",
        "on_time = timezone.localdate(now) < due",
        ["tests/kb/test_due_dates.py"],
    ),
    (
        "an acknowledgement is always on time",
        "kb/services.py",
        "on_time = timezone.localdate(now) <= due",
        "on_time = True",
        ["tests/kb/test_due_dates.py"],
    ),
    (
        "the due date ignores the effective date",
        "kb/selectors/acknowledged.py",
        "start = max(version.effective_date, timezone.localdate(version.published_at))",
        "start = timezone.localdate(version.published_at)",
        ["tests/kb/test_due_dates.py"],
    ),
]


def main(only: list[str]) -> int:
    survived = 0
    with tempfile.TemporaryDirectory(prefix="servewell-issue15-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=lambda _dir, names: [n for n in names if n in SKIP])
        (copy / ".venv").symlink_to((ROOT / ".venv").resolve())
        # A fresh test database per case, migrated by the WRONG code: data migrations (roles) run it too.
        env = {key: value for key, value in os.environ.items() if key != "SERVEWELL_TEST_DB_FILE"}
        for name, path, right, wrong, tests in CASES:
            if only and not any(word in name for word in only):
                continue
            target = copy / path
            original = target.read_text()
            assert original.count(right) == 1, f"{name}: the right code is no longer in {path}"
            target.write_text(original.replace(right, wrong))
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", *tests, "-n", "0", "-q", "-x", "-p", "no:cacheprovider"],
                    cwd=copy,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                target.write_text(original)
            failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
            survived += done.returncode == 0
            verdict = "KILLED  " if done.returncode else "SURVIVED"
            print(f"{verdict} {name}: {(failed or done.stdout.splitlines()[-1:])[0]}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
