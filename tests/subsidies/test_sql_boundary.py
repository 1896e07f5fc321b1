"""SECURITY E6: no SQL built from data.

The app speaks to the database through the ORM, with four reviewed exceptions:
`aidsite.lib.bulk.insert_rows`, the bulk insert of a county-wide computation
(100,000 students in under 10 seconds), whose statement holds only the model's
own table and column names and binds every value as a parameter;
`students.importing.service._refresh_planner_statistics`, ANALYZE after a
large import on PostgreSQL, which names only the models' own tables; the SQLite
copy of the trigger that freezes approved entitlements (built from the model's
metadata); and `aidsite.backup`, which reads a whole database generically (the
catalogue's table names, the models' money columns, quoted; no data in any
statement) to count rows and total money before a backup and after a restore.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from students.models import HouseholdCategory, Stage, Student
from subsidies.models import Entitlement
from tests.subsidies.townships import compute, rows

ROOT = Path(__file__).resolve().parents[2]
APPS = ("aidsite", "students", "subsidies", "campaigns")
RAW_CALLS = {"cursor", "raw", "extra", "RawSQL", "execute", "executemany"}
ALLOWED = {
    ("aidsite/lib/bulk.py", "insert_rows"),
    # ANALYZE of the tables a county-size import filled (PostgreSQL), table names only.
    ("students/importing/service.py", "_refresh_planner_statistics"),
    # SQLite's copy of the PostgreSQL trigger on approved entitlements: model metadata only.
    ("subsidies/apps.py", "_sqlite_guards"),
    # Backup and restore: catalogue queries and per-table counts and sums, identifiers only.
    *(
        ("aidsite/backup.py", function)
        for function in (
            "_table_names",
            "database_census",
            "_applied_migrations",
            "_valid_export_files",
            "_snapshot_postgresql",
            "_snapshot_sqlite",
            "_postgresql_tables_present",
            "_sqlite_tables_present",
            "_restore_postgresql",
            "_restore_sqlite",
        )
    ),
}


def _raw_sql_sites() -> set[tuple[str, str]]:
    sites = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Call):
                        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                        if name in RAW_CALLS:
                            sites.add((path.relative_to(ROOT).as_posix(), function.name))
    return sites


def test_raw_sql_appears_only_in_the_reviewed_places():
    assert _raw_sql_sites() == ALLOWED


HOSTILE = "王'); DROP TABLE x;--"


@pytest.mark.django_db
def test_the_bulk_insert_binds_hostile_text_as_data(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=False, name="青山'; DELETE FROM subsidies_entitlement;--小学")
    child = kids(school, orphan=True, categories=(HouseholdCategory.REGISTERED,), name=HOSTILE)
    compute(term)
    meal = rows(term, "CMP-MEAL")[child.student_id]
    assert meal.student.name == HOSTILE
    assert Student.objects.filter(name=HOSTILE).count() == 1
    assert Entitlement.objects.filter(student=child.student).exists()
    assert Entitlement.objects.filter(enrollment__school__name=school.name, policy__code="CMP-MEAL").count() == 1
    # Its history row went through the same statement-with-parameters path.
    assert meal.history.filter(history_type="+").count() == 1
