"""`external_list_import`: read an external list, compare it, then store and apply it, or nothing.

The same steps as the roster import: every row is checked first and every bad
row reported with its Excel row and column; with one bad row nothing is
written. A dry run (the admin's preview, `--dry-run`) stops at the differences.
Otherwise, in one transaction, the rows become the list's snapshot (replacing
the previous one) and the differences are applied with their history rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import transaction

from aidsite.access import actor_user, log_access
from aidsite.lib.bulk import insert_rows
from aidsite.lib.excel import SheetError
from aidsite.models import AccessAction
from students.external_apply import differences_apply
from students.external_compare import KINDS, Difference, differences_compute, registry_load
from students.external_models import ExternalListImport, ExternalListRow, ExternalSource
from students.importing.civil import CivilImport
from students.importing.disability import DisabilityImport
from students.importing.external import EXTERNAL_ROW_FIELDS, ExternalImport, ExternalRow
from students.importing.poverty import PovertyImport
from students.importing.results import ImportFileError, RowError
from students.importing.sheets import sheet_read

if TYPE_CHECKING:
    from aidsite.access import Actor

EXTERNAL_IMPORTS: dict[str, type[ExternalImport]] = {
    ExternalSource.POVERTY: PovertyImport,
    ExternalSource.CIVIL: CivilImport,
    ExternalSource.DISABILITY: DisabilityImport,
}


@dataclass
class ExternalReport:
    """What an external-list import found and (without errors or a dry run) applied."""

    source: str
    dry_run: bool
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    applied: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        return str(ExternalSource(self.source).label)

    def counts(self) -> list[tuple[str, int]]:
        """(difference, how many) in a fixed order, the kinds found only."""
        found = Counter(d.kind for d in self.differences)
        return [(kind, found[kind]) for kind in KINDS if found[kind]]

    def summary(self) -> str:
        counts = "，".join(f"{kind} {n} 条" for kind, n in self.counts()) or "无差异"
        if self.errors:
            outcome = f"有 {len(self.errors)} 处错误，未写入任何数据，请改正后重新导入"
        elif self.dry_run:
            outcome = "试导入，未写入数据"
        else:
            outcome = f"已保存名单并应用 {self.applied} 条差异"
        return f"{self.label}共 {self.total_rows} 行，与登记信息比对：{counts}（{outcome}）"


def external_list_import(
    *,
    source: str,
    file: str | Path | IO[bytes],
    actor: Actor,
    dry_run: bool = False,
    file_name: str = "",
) -> ExternalReport:
    """Import one external list for the whole county: validate, compare, then store and apply, or nothing.

    The caller has checked that `actor` may apply the county's lists; `actor`
    is recorded in the snapshot, the history rows and the access log.
    """
    if source not in EXTERNAL_IMPORTS:
        raise ValueError(f"unknown external list {source!r}")
    layout, rows = sheet_read(source, file)
    importer = EXTERNAL_IMPORTS[source](layout=layout, township=None)
    try:
        importer.read(rows)
    except SheetError as exc:
        raise ImportFileError(str(exc)) from exc
    checked = importer.report(dry_run=dry_run)
    report = ExternalReport(
        source=source, dry_run=dry_run, total_rows=checked.total_rows, errors=checked.errors
    )
    if report.errors:
        return report
    if dry_run:
        report.differences = differences_compute(source, importer.rows, registry_load())
        return report
    with transaction.atomic():
        # Compared inside the transaction that applies, so that what is applied is what was found.
        report.differences = differences_compute(source, importer.rows, registry_load())
        snapshot = snapshot_store(
            source=source, rows=importer.rows, actor=actor, file_name=file_name
        )
        report.applied = differences_apply(
            differences=report.differences, source=source, actor=actor
        )
        snapshot.applied_count = report.applied
        snapshot.save(update_fields=["applied_count"])
        log_access(
            user=actor,
            action=AccessAction.IMPORT,
            what=f"导入{report.label}并应用比对差异",
            row_count=report.total_rows,
            detail={"source": source, "applied": report.applied, **dict(report.counts())},
        )
    return report


def snapshot_store(
    *, source: str, rows: list[ExternalRow], actor: Actor, file_name: str
) -> ExternalListImport:
    """The rows as the source's latest snapshot; the previous snapshots' rows are dropped (the imports stay)."""
    ExternalListRow.objects.filter(list_import__source=source).delete()
    snapshot = ExternalListImport.objects.create(
        source=source,
        file_name=file_name[:200],
        imported_by=actor_user(actor),
        actor_name=str(actor)[:150],
        row_count=len(rows),
    )
    fields = [
        ExternalListRow._meta.get_field(name) for name in ("list_import", *EXTERNAL_ROW_FIELDS)
    ]
    insert_rows(
        ExternalListRow,
        fields,
        [(snapshot.pk, *(getattr(row, name) for name in EXTERNAL_ROW_FIELDS)) for row in rows],
    )
    return snapshot


def snapshot_rows(list_import: ExternalListImport) -> list[ExternalRow]:
    """A stored snapshot's rows, in sheet order (one query)."""
    values = ExternalListRow.objects.filter(list_import=list_import).order_by("row_number")
    return [ExternalRow(*row) for row in values.values_list(*EXTERNAL_ROW_FIELDS)]
