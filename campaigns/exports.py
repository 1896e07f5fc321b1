"""Workbooks of the campaigns app: the mentoring ledger (帮扶台账).

The project's formal workbook writer belongs in `aidsite.lib.excel`; until it has
one, `rows_to_xlsx` here writes rows with openpyxl in write-only mode, every string
as text (IDs never become numbers) and formula-like strings neutralised (SECURITY E1).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A string that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def rows_to_xlsx(rows: Iterable[list[Any]], *, title: str) -> tuple[bytes, int]:
    """An .xlsx of a title line, the header (first row) and the data rows; and the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    count = -1
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=len(value) > 20)
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if count < 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), max(count, 0)
