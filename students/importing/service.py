"""`roster_import`: read a sheet, validate every row, then write all of them or none."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import connection

from aidsite.access import log_access
from aidsite.models import AccessAction
from students.importing.results import ImportReport
from students.importing.schools import SchoolImport
from students.importing.sheets import SheetImport, sheet_check_then_write, sheet_read
from students.importing.students import StudentImport
from students.importing.villages import VillageImport
from students.importing.words import KIND_LABELS, KINDS
from students.models import Township

if TYPE_CHECKING:
    from aidsite.access import Actor

IMPORTS: dict[str, type[SheetImport]] = {
    "villages": VillageImport,
    "schools": SchoolImport,
    "students": StudentImport,
}
# After this many new rows PostgreSQL is told the tables' new sizes at once.
ANALYZE_AFTER_ROWS = 5000


def roster_import(
    *,
    kind: str,
    source: str | Path | IO[bytes],
    actor: Actor,
    dry_run: bool = False,
    township: Township | None = None,
) -> ImportReport:
    """Import a roster sheet: validate every row, then write all of them in one transaction or none.

    `township` restricts which rows may be written (rows naming another
    township are row errors); None is the whole county. The caller has
    checked that `actor` may import this kind into `township`; `actor` is
    recorded in the history rows and the access log. With any row error,
    or with `dry_run`, nothing is written.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown roster kind {kind!r}")
    layout, rows = sheet_read(kind, source)
    importer_class = IMPORTS[kind]

    def write(importer: SheetImport, report: ImportReport) -> None:
        importer.write(actor=actor)
        _log_import(actor=actor, report=report, township=township)

    report = sheet_check_then_write(
        lambda: importer_class(layout=layout, township=township), rows, dry_run=dry_run, write=write
    )
    if report.ok and not dry_run and report.created >= ANALYZE_AFTER_ROWS:
        _refresh_planner_statistics(importer_class.written_models)
    return report


def _log_import(*, actor: Actor, report: ImportReport, township: Township | None) -> None:
    log_access(
        user=actor,
        action=AccessAction.IMPORT,
        what=f"导入{KIND_LABELS[report.kind]}名册",
        row_count=report.total_rows,
        detail={
            "kind": report.kind,
            "township": township.name if township else "",
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )


def _refresh_planner_statistics(models: tuple[type[Any], ...]) -> None:
    """ANALYZE the tables a large import filled (PostgreSQL; a no-op elsewhere).

    Until autovacuum comes round, the planner believes the tables are as small
    as before the import, and the next import's lookups (100,000 IDs in
    10,000-key batches) were planned as nested scans that ran past the
    statement timeout. The statement holds only the models' own table names,
    quoted by the backend; no value goes into it (SECURITY E6).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            for table in (model._meta.db_table, *_history_tables(model)):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _history_tables(model: type[Any]) -> tuple[str, ...]:
    history = getattr(model, "history", None)
    return (history.model._meta.db_table,) if history is not None else ()
