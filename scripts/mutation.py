"""Mutation testing of one evidence module at a time with mutmut 3 (docs/testing.md).

    make mutation MODULE=ledger/services.py      # one module, only the tests mapped to it below
    make mutation                                 # every module in MODULES, one after another (about an hour)
    .venv/bin/python scripts/mutation.py --list   # the modules and their tests
    .venv/bin/python scripts/mutation.py ledger/services.py results          # survivors of the last run
    .venv/bin/python scripts/mutation.py ledger/services.py show <mutant>    # one survivor's diff
    .venv/bin/python scripts/mutation.py ledger/services.py rerun            # only the last run's survivors
    .venv/bin/python scripts/mutation.py ledger/services.py rerun '*_append*'  # ... and these mutants
    .venv/bin/python scripts/mutation.py assignments/models.py only '*in_window*'  # a fresh run of these only

mutmut 3 reads its settings from ``[tool.mutmut]`` in pyproject.toml, one fixed set for the whole project.
Running the whole suite against every mutant would take a day on the 2-core machine, so this script gives
mutmut the settings of ONE module: ``only_mutate`` is that file and the test selection is the test files
that should catch its mutants. Each mutant's run reuses one SQLite test database kept in a file
(``SERVEWELL_TEST_DB_FILE``, website/settings/test.py) instead of migrating an in-memory one (~30 s each).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "people",
    "ledger",
    "notifications",
    "quizzes",
    "assignments",
    "kb",
    "courses",
    "dashboards",
    "api",
    "website",
]

RERUN_EXIT_CODES = {0, 33}  # mutmut's "survived" and "no tests"

# module -> the test files that should catch its mutants (keep in step with docs/testing.md)
MODULES: dict[str, list[str]] = {
    "ledger/services.py": [
        "tests/ledger/test_services.py",
        "tests/ledger/test_known_answers.py",
        "tests/ledger/test_guards.py",
        "tests/ledger/test_all_or_nothing.py",
        "tests/ledger/test_bulk.py",
    ],
    "ledger/models.py": [
        "tests/ledger/test_known_answers.py",
        "tests/ledger/test_models.py",
        "tests/ledger/test_guards.py",
    ],
    "ledger/verification.py": [
        "tests/ledger/test_verify_records.py",
        "tests/ledger/test_known_answers.py",
        "tests/kb/test_ledger_checks.py",
    ],
    # no self-approval; the approval record; publish on approval
    "kb/models/workflows.py": ["tests/kb/test_workflow.py", "tests/kb/test_all_or_nothing.py"],
    "kb/approvals.py": ["tests/kb/test_workflow.py", "tests/kb/test_all_or_nothing.py"],
    "kb/workflows.py": ["tests/kb/test_workflow.py"],
    # the approval trail of a version, review flags, due dates, obligations fulfilled by an acknowledgement
    "kb/services.py": [
        "tests/kb/test_versions_and_acks.py",
        "tests/kb/test_review.py",
        "tests/kb/test_comprehension_check.py",
        "tests/kb/test_all_or_nothing.py",
        "tests/kb/test_workflow.py",
        "tests/kb/test_review_flags_answered.py",
        "tests/kb/test_regulations.py",
        "tests/kb/test_due_dates.py",
        "tests/assignments/test_kb_obligations.py",
    ],
    "kb/models/versions.py": ["tests/kb/test_versions_and_acks.py"],  # models; due dates: kb/selectors
    # the due-date rule, whether an acknowledgement is still owed, the acknowledgement lists and their status
    "kb/selectors/acknowledged.py": [
        "tests/kb/test_due_dates.py",
        "tests/kb/test_date_boundaries.py",
        "tests/kb/test_versions_and_acks.py",
        "tests/kb/test_still_owed.py",
        "tests/kb/test_regulations.py",
        "tests/assignments/test_kb_obligations.py",
    ],
    "people/audience.py": ["tests/people/test_audience.py"],
    "people/importing.py": ["tests/people/test_import.py", "tests/people/test_import_halfway.py"],
    "people/roles.py": [
        "tests/people/test_roles.py",
        "tests/people/test_role_limits.py",
        "tests/people/test_roles_sync.py",
    ],
    "people/services.py": ["tests/people/test_org.py", "tests/people/test_views.py"],
    "notifications/tasks.py": ["tests/notifications/test_retry_schedule.py"],
    "quizzes/grading.py": ["tests/quizzes/test_grading.py"],
    "quizzes/services.py": ["tests/quizzes/test_services.py", "tests/quizzes/test_all_or_nothing.py"],
    # an obligation's status, due date and completion (run with `only`: the functions are listed in
    # docs/testing.md; mutmut skips decorated functions such as the @transaction.atomic ones)
    "assignments/models.py": [
        "tests/assignments/test_status_and_daily.py",
        "tests/assignments/test_rules.py",
        "tests/assignments/test_feeds_and_manual.py",
    ],
    "assignments/services.py": [
        "tests/assignments/test_status_and_daily.py",
        "tests/assignments/test_rules.py",
        "tests/assignments/test_feeds_and_manual.py",
        "tests/assignments/test_kb_obligations.py",
        "tests/courses/test_obligations.py",
    ],
    # course completion (the record, on time / late, the score, validity); run with `only` (docs/testing.md)
    "courses/services.py": [
        "tests/courses/test_completion.py",
        "tests/courses/test_obligations.py",
        "tests/courses/test_certificates.py",
    ],
}


def reader_for(module: str, selection: list[str]):
    app = module.split("/", 1)[0]
    settings = {
        "source_paths": [f"{app}/"],
        "only_mutate": [module],
        # every other app is copied beside the mutated one: Django imports them all
        "also_copy": [f"{other}/" for other in APPS if other != app] + ["manage.py"],
        # -n 0: no xdist workers (pyproject's addopts name --dist, which -p no:xdist would refuse)
        "pytest_add_cli_args": ["-n", "0", "-q", "-p", "no:cacheprovider"],
        "pytest_add_cli_args_test_selection": selection,
        # the Django set-up (settings, app registry, a test database check) costs CPU seconds per run
        "timeout_constant": 20.0,
        "use_git_change_detection": False,
    }
    return lambda key, default: settings.get(key, default)


def run(module: str, extra: list[str]) -> int:
    """``extra`` empty: a fresh run of ``module``; ``only PATTERN...``: a fresh run of the mutants whose names
    match (fnmatch), e.g. the functions of a large module that decide evidence; ``rerun``: the last run's
    survivors only; ``results`` / ``show NAME``: mutmut's reports of the last run."""
    import mutmut.configuration

    # A rerun keeps the last run's test files: mutmut forgets every result when the selection changes (new
    # tests inside those files are found and mapped; a new test FILE needs a fresh run).
    saved = ROOT / "mutants" / "servewell-selection.json"
    if extra[:1] == ["rerun"] and saved.exists():
        selection = json.loads(saved.read_text())
    else:
        selection = [t for t in MODULES[module] if (ROOT / t).exists()]
    mutmut.configuration._config_reader = lambda: reader_for(module, selection)  # before mutmut imports it
    from mutmut.__main__ import cli

    os.chdir(ROOT)
    if extra[:1] in (["results"], ["show"]):
        try:
            cli.main(extra, standalone_mode=False)
        except SystemExit as stop:
            return int(stop.code or 0)
        return 0
    names: list[str] = extra[1:] if extra[:1] == ["only"] else []
    if extra[:1] == ["rerun"]:  # after adding tests: only the survivors (and untested) of the last run
        meta = json.loads((ROOT / "mutants" / f"{module}.meta").read_text())
        patterns = extra[1:]  # rerun PATTERN...: also every mutant whose name matches (fnmatch)
        names = [
            name
            for name, code in meta["exit_code_by_key"].items()
            if code in RERUN_EXIT_CODES or any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
        ]
        if not names:
            print("nothing to rerun")
            return 0
    else:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # results of another module or of older tests
        saved.parent.mkdir()
        saved.write_text(json.dumps(selection))
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["SERVEWELL_TEST_DB_FILE"] = str(ROOT / "var" / "mutation-test.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    print(f"== {module}: tests {' '.join(selection)}", flush=True)
    try:
        cli.main(["run", "--max-children", "1", *names], standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--list"]:
        for module, tests in MODULES.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    module = argv[0] if argv else ""
    if module and module not in MODULES:
        print(f"unknown module {module!r}; known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    if module:
        return run(module, argv[1:])
    # Every module: one process each (mutmut keeps its configuration for the life of the process).
    import subprocess

    return max(subprocess.call([sys.executable, __file__, m]) for m in MODULES)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
