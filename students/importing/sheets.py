"""Reading a roster sheet as offices keep it, and what every sheet kind shares.

`sheet_read` checks the archive and finds the header row among titles and
填报单位 lines. `SheetImport` is the base of each sheet kind: it reads every
row, records each bad cell with its Excel row and the header as written in
the file, checks rows against each other, compares the valid rows with the
database, and only then (with no error at all) writes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from aidsite.lib.excel import (
    CellError,
    Column,
    SheetError,
    SheetLayout,
    SheetRow,
    cell_text,
    check_xlsx_archive,
    has_control_characters,
    id_cell_text,
    parse_yes_no,
    read_sheet,
)
from aidsite.lib.idcard import IdNumberError, check_id_number
from students.importing.results import ImportFileError, ImportReport, RowError
from students.importing.words import COLUMNS, KEY_COLUMNS, place_name
from students.models import Township, Village

if TYPE_CHECKING:
    from aidsite.access import Actor

BATCH_SIZE = 2000
IN_CHUNK = 10000  # ids per `__in` lookup: under SQLite's variable limit
CHANGE_REASON = "Excel 导入"
CONTROL_CHARACTERS = "含有不可见的控制字符（如 NUL），请删除后重新导入"

_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def sheet_read(
    kind: str,
    source: str | Path | IO[bytes],
    *,
    columns: Sequence[Column] = (),
    key_columns: Sequence[str] = (),
    max_rows: int = 0,
) -> tuple[SheetLayout, Iterator[SheetRow]]:
    """The header layout and a stream of the data rows; a whole-file problem is `ImportFileError`.

    A kind registered by another app (`students.importing.kinds`) hands in its own
    `columns`, `key_columns` and, if smaller than the roster's, `max_rows`.
    """
    try:
        check_xlsx_archive(
            source,
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )
        return read_sheet(
            source,
            columns=columns or COLUMNS[kind],
            key_columns=key_columns or KEY_COLUMNS[kind],
            max_rows=min(max_rows or settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_ROWS),
        )
    except SheetError as exc:
        raise ImportFileError(str(exc)) from exc


def sheet_check_then_write(
    make_importer: Callable[[], SheetImport],
    rows: Iterable[SheetRow],
    *,
    dry_run: bool,
    write: Callable[[SheetImport, ImportReport], None],
) -> ImportReport:
    """Read and check every row; with no error and no `dry_run`, `write(importer, report)`.

    Reading what exists (the importer loads it when made) and writing belong to
    one transaction, so that the comparison the counts rest on still holds when
    the rows are written; an exception from `write` rolls everything back.
    """
    guard = contextlib.nullcontext() if dry_run else transaction.atomic()
    with guard:
        importer = make_importer()
        try:
            importer.read(rows)
        except SheetError as exc:
            raise ImportFileError(str(exc)) from exc
        report = importer.report(dry_run=dry_run)
        if not report.errors and not dry_run:
            write(importer, report)
    return report


def chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SheetImport:
    """Row validation and bulk writing for one kind of roster."""

    kind = ""
    # A registered kind's own columns (the roster kinds' are in `words.COLUMNS`).
    columns: tuple[Column, ...] = ()
    written_models: tuple[type[Any], ...] = ()

    def __init__(self, *, layout: SheetLayout, township: Township | None) -> None:
        self.layout = layout
        self.township = township
        self.errors: list[RowError] = []
        self.bad_rows: set[int] = set()
        self.total = 0
        self.created = self.updated = self.unchanged = 0

    # -- errors

    def header(self, key: str) -> str:
        if key in self.layout.headers:
            return self.layout.headers[key]
        return next(c.label for c in self.columns or COLUMNS[self.kind] if c.key == key)

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(
            RowError(row=row, column=self.header(key) if key else "", message=message)
        )
        self.bad_rows.add(row)

    # -- cells

    def text(
        self, row: SheetRow, key: str, *, max_length: int = 0, required: str = ""
    ) -> str | None:
        """The cell as text, or None after recording an error (control characters, length, blank)."""
        value = cell_text(row.values.get(key))
        if has_control_characters(value):
            self.error(row.number, key, CONTROL_CHARACTERS)
            return None
        # Every roster column is one line (names, places, grades): a line break typed with
        # Alt+Enter becomes a space, as the models' name rule (validate_name) expects.
        value = _LINE_BREAKS.sub(" ", value)
        if not value and required:
            self.error(row.number, key, required)
            return None
        if max_length and len(value) > max_length:
            self.error(row.number, key, f"不能超过 {max_length} 个字")
            return None
        return value

    def checked_id_number(self, row: SheetRow, *, today: dt.date) -> str | None:
        """The 身份证号 cell, checked (GB 11643, SECURITY B1, B2); None after recording its error."""
        try:
            text = id_cell_text(row.values.get("id_number"))
            if has_control_characters(text):
                raise IdNumberError("身份证号含有不可见的控制字符（如 NUL）")
            return check_id_number(text, today=today).number
        except (CellError, IdNumberError) as exc:
            self.error(row.number, "id_number", str(exc))
            return None

    def yes_no(self, row: SheetRow, key: str) -> bool | None:
        try:
            return parse_yes_no(row.values.get(key))
        except CellError as exc:
            if has_control_characters(cell_text(row.values.get(key))):
                self.error(row.number, key, CONTROL_CHARACTERS)
            else:
                self.error(row.number, key, f"{exc}，应填 是/否（或 √/×，空白视为否）")
            return None

    # -- the steps

    def read(self, rows: Iterable[SheetRow]) -> None:
        for row in rows:
            self.total += 1
            self.parse(row)
        self.cross_check()

    def parse(self, row: SheetRow) -> None:
        raise NotImplementedError

    def cross_check(self) -> None:
        """Checks between rows, after all rows are read."""

    def plan(self) -> None:
        """Compare the valid rows with the database and count new, changed and unchanged rows."""
        raise NotImplementedError

    def write(self, *, actor: Actor) -> None:
        raise NotImplementedError

    def report(self, *, dry_run: bool) -> ImportReport:
        if not self.errors:
            self.plan()  # may find more errors (rows another township owns)
        self.errors.sort(key=lambda e: e.row)
        return ImportReport(
            kind=self.kind,
            dry_run=dry_run,
            total_rows=self.total,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=len(self.bad_rows),
            errors=self.errors,
        )

    # -- places, loaded once

    def load_townships(self) -> dict[str, Township]:
        return {place_name(t.name): t for t in Township.objects.all()}

    def load_villages(self) -> dict[tuple[int, str], int]:
        return {
            (v.township_id, place_name(v.name)): v.pk
            for v in Village.objects.only("pk", "township_id", "name")
        }

    def check_township(self, row: SheetRow, townships: dict[str, Township]) -> Township | None:
        name = self.text(row, "township", required="乡镇不能为空")
        if name is None:
            return None
        township = townships.get(place_name(name))
        if township is None:
            self.error(row.number, "township", f"乡镇“{name}”不存在")
            return None
        if self.township is not None and township.pk != self.township.pk:
            self.error(row.number, "township", self.outside_township())
            return None
        return township

    def outside_township(self) -> str:
        """The error for a row that belongs to another township than the one importing."""
        assert self.township is not None
        return f"不属于本乡镇（{self.township.name}），不能导入"

    def check_village(
        self,
        row: SheetRow,
        villages: dict[tuple[int, str], int],
        township: Township | None,
        *,
        max_length: int = 0,
        required: str = "",
    ) -> int | None:
        """The village's pk, or None (blank, unknown in the township, or the township unknown)."""
        village = self.text(row, "village", max_length=max_length, required=required)
        if not village or township is None:
            return None
        village_id = villages.get((township.pk, place_name(village)))
        if village_id is None:
            self.error(row.number, "village", f"村“{village}”不在{township.name}的村（社区）名册中")
        return village_id
