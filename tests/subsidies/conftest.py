"""Fixtures for the aid tests: a school year with the seed policies, its autumn term, a township."""

from __future__ import annotations

import pytest

from students.models import Season, Term
from subsidies.services.policies import policies_seed_load
from tests.factories import make_school_year, make_township
from tests.subsidies.townships import Kids


@pytest.fixture
def term(db) -> Term:
    year = make_school_year("2022-2023")
    policies_seed_load(school_year=year)
    return Term.objects.select_related("school_year").get(school_year=year, season=Season.AUTUMN)


@pytest.fixture
def township(db):
    return make_township("青山镇")


@pytest.fixture
def kids(term, township) -> Kids:
    return Kids(term, township)
