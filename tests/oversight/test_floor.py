"""oversight is the top floor (ARCHITECTURE.md): it reads every app, and no other app imports it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"^\s*(from|import)\s+oversight\b|[\"']oversight[.\"']", re.MULTILINE)


def test_no_other_app_imports_oversight():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("aidsite", "students", "subsidies", "campaigns")
        for path in (ROOT / app).rglob("*.py")
        # The settings list the installed apps; that is the one place allowed to name it.
        if path != ROOT / "aidsite" / "settings.py"
        and IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
