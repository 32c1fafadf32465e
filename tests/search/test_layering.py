"""Only the search package talks to Whoosh; everything else uses Wagtail's search API."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"^\s*(import whoosh|from whoosh[\s.])", re.MULTILINE)


def test_only_website_search_imports_whoosh():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "website/search/")) or "/node_modules/" in relative:
            continue
        if relative == "tests/search/test_bulk_writer.py":  # compares index files with Whoosh's own writer
            continue
        if IMPORT.search(path.read_text(encoding="utf-8", errors="ignore")):
            offenders.append(relative)
    assert offenders == []
    assert IMPORT.search((ROOT / "website/search/backend.py").read_text())  # the check can see an import
