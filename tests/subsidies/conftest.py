"""Fixtures for the aid tests: a school year with the seed policies, its autumn term, a
township (all made in tests/world.py)."""

from __future__ import annotations

import pytest

from students.models import Term
from tests.factories import make_township
from tests.world import Kids, aid_term


@pytest.fixture
def term(db) -> Term:
    return aid_term()


@pytest.fixture
def township(db):
    return make_township("青山镇")


@pytest.fixture
def kids(term, township) -> Kids:
    return Kids(term, township)
