"""The scoped world (two townships, one user per role), as the tests import it; it is
made in tests/world.py with the suite's other worlds."""

from __future__ import annotations

from tests.world import ScopedWorld as World
from tests.world import build_scoped_world as build_world

ID_PATTERN_IN_HTML = r"\d{17}[\dX]"

__all__ = ["ID_PATTERN_IN_HTML", "World", "build_world"]
