"""SECURITY E4, E5 and F3: what the platform under the app must provide."""

from __future__ import annotations

import pytest
from django.db import connection

postgres_only = pytest.mark.postgres


def test_openpyxl_parses_workbooks_with_defusedxml():
    # openpyxl switches to defusedxml only when it is importable (SECURITY E5).
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_weasyprint_is_at_least_version_68():
    # Older WeasyPrint fetches file:// URLs named in user text by default (SECURITY E4).
    import weasyprint

    assert int(weasyprint.__version__.split(".")[0]) >= 68


def test_database_connections_are_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@postgres_only
@pytest.mark.django_db
def test_postgresql_cuts_off_a_runaway_statement(settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        configured = cursor.fetchone()[0]
    assert configured not in ("0", "")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(Exception, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(2)")
