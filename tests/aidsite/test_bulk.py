"""The reviewed bulk insert (SECURITY E6): rows go in as data, on SQLite and on PostgreSQL (COPY).

Run under `.ci/with-postgres` for the COPY path; the tests are the same on both.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aidsite.lib.bulk import insert_rows
from aidsite.models import AccessAction, AccessLog, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# SQL quoting, a comment, and what COPY's text format gives meaning to: tab, newline,
# backslash, the end-of-data marker and the NULL marker.
HOSTILE = "王'); DROP TABLE aidsite_accesslog;--\t列\n行\\.\\N\\"
FIELDS = [AccessLog._meta.get_field(name) for name in ("at", "user", "action", "what", "row_count", "detail")]


def _row(what: str, *, at: dt.datetime, user=None, detail=None, row_count: int = 0) -> list:
    return [at, user.pk if user else None, AccessAction.EXPORT, what, row_count, detail or {}]


def test_it_binds_hostile_text_as_data():
    at = timezone.now()
    insert_rows(AccessLog, FIELDS, [_row(HOSTILE, at=at, detail={"note": HOSTILE, "n": [1, None]})])
    log = AccessLog.objects.get()
    assert log.what == HOSTILE
    assert log.detail == {"note": HOSTILE, "n": [1, None]}
    assert log.at == at


def test_it_inserts_every_row_with_its_own_values():
    user = make_user(role=Role.AUDITOR, username="bulk")
    at = timezone.now().replace(microsecond=0)
    shared = {"batch": 7}
    rows = [
        _row(f"第 {n} 行", at=at + dt.timedelta(seconds=n % 3), user=user if n % 2 else None, detail=shared, row_count=n)
        for n in range(500)
    ]
    insert_rows(AccessLog, FIELDS, rows)
    stored = {log.row_count: log for log in AccessLog.objects.all()}
    assert len(stored) == 500
    assert stored[3].what == "第 3 行" and stored[3].user_id == user.pk and stored[3].at == at
    assert stored[4].user_id is None and stored[4].at == at + dt.timedelta(seconds=1)
    assert all(log.detail == {"batch": 7} for log in stored.values())


def test_a_shared_cache_serves_two_tables_alike():
    at = timezone.now()
    cache: dict = {}
    detail = {"same": "对象"}
    insert_rows(AccessLog, FIELDS, [_row("一", at=at, detail=detail)], cache=cache)
    insert_rows(AccessLog, FIELDS, [_row("二", at=at, detail=detail)], cache=cache)
    assert [(log.what, log.detail, log.at) for log in AccessLog.objects.order_by("what")] == [
        ("一", detail, at),
        ("二", detail, at),
    ]


def test_no_rows_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(AccessLog, FIELDS, [])
    assert not AccessLog.objects.exists()
