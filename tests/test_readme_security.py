"""The README's security table names a real test for every SECURITY.md requirement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT.parent / "shared" / "SECURITY.md"
_ROW = re.compile(r"^\| ([A-F]\d+) \|[^|]*\|(.*)\|\s*$")
_NAME = re.compile(r"`([\w/]+\.py)?(?:::(\w+))?`")


def _table() -> dict[str, list[tuple[str, str | None]]]:
    rows: dict[str, list[tuple[str, str | None]]] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        named, path = [], None
        for file_part, test in _NAME.findall(match.group(2)):
            path = file_part or path
            if path:
                named.append((path, test or None))
        rows[match.group(1)] = named
    return rows


@pytest.mark.skipif(not SECURITY.exists(), reason="../shared/SECURITY.md is not beside the project")
def test_every_requirement_has_a_row():
    required = set(re.findall(r"^- \*\*([A-F]\d+)", SECURITY.read_text(encoding="utf-8"), re.M))
    assert len(required) == 38
    assert required - set(_table()) == set()


def test_every_named_test_exists():
    table = _table()
    assert len(table) == 38
    missing = []
    for requirement, named in table.items():
        assert named, requirement
        for path, test in named:
            source = ROOT / "tests" / path
            if not source.exists():
                source = ROOT / path  # a module named from the project root
            if not source.exists() or (
                test and not re.search(rf"^(?:async )?def {test}\(", source.read_text("utf-8"), re.M)
            ):
                missing.append((requirement, path, test))
    assert missing == []
