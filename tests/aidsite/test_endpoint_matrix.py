"""SECURITY A2: the expected status of every role × URL pattern × (GET, POST) × (in scope, out
of scope) cell, held as data in `tests/aidsite/endpoint_matrix.py`, against the running site."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test import Client

from tests.aidsite.endpoint_matrix import (
    EXPECTED,
    PARTS,
    ROLES,
    concrete_url,
    parse_row,
    status_code,
    url_patterns,
)
from tests.aidsite.matrix_world import build_matrix_world

pytestmark = pytest.mark.django_db

PRINT = os.environ.get("ENDPOINT_MATRIX_PRINT")


def test_the_matrix_lists_every_url_pattern():
    patterns = {key for key, _pattern in url_patterns()}
    assert sorted(patterns - set(EXPECTED)) == [], "URL patterns missing from EXPECTED"
    assert sorted(set(EXPECTED) - patterns) == [], "stale entries in EXPECTED"


def _observe(client: Client, world, role: str, key: str) -> list[str]:
    observed: list[str] = []
    for method in ("get", "post"):
        for side in ("in", "out"):
            url = concrete_url(key, world, role, side)
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            observed.append(status_code(response))
            if role != "anonymous" and "_auth_user_id" not in client.session:
                client.force_login(world.user(role))  # a logout page was posted
    return observed


@pytest.mark.parametrize("role", ROLES)
def test_role_endpoint_matrix(role):
    world = build_matrix_world()
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    index = ROLES.index(role)
    wrong: list[str] = []
    for key, _pattern in url_patterns():
        observed = _observe(client, world, role, key)
        if PRINT and (PRINT == "all" or key not in EXPECTED):
            # The observed cells of a new pattern, to review and merge into EXPECTED.
            print(f"MATRIX {role} {key!r} {' '.join(observed)}")
        if key not in EXPECTED:
            continue  # reported by test_the_matrix_lists_every_url_pattern
        expected = [part[index] for part in parse_row(EXPECTED[key])]
        for part, want, got in zip(PARTS, expected, observed, strict=True):
            if want != got:
                wrong.append(f"{key} {part}: expected {want}, got {got}")
    assert wrong == []

