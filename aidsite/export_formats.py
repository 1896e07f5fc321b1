"""The spreadsheet formats the admin's exports (django-import-export) offer.

The settings list them, an allow-list (SECURITY E2): never HTML, xls or xlsm.
An .xlsx is written by the project's one writer, `aidsite.lib.excel`, so an
admin export types, escapes and cleans its cells like every other workbook.
"""

from __future__ import annotations

import io
from typing import Any

from import_export.formats import base_formats
from tablib import Dataset

from aidsite.lib.excel import write_table_workbook


class XLSX(base_formats.XLSX):
    """An .xlsx written by `write_table_workbook`: the header, then one row per record.

    Reading a workbook stays django-import-export's own (openpyxl).
    """

    # The sheet name the admin's workbooks have always had (tablib's default).
    SHEET_NAME = "Tablib Dataset"

    def export_data(self, dataset: Dataset, **kwargs: Any) -> bytes:
        out = io.BytesIO()
        write_table_workbook(
            out,
            [dataset.headers or [], *dataset],
            sheet_name=dataset.title or self.SHEET_NAME,
        )
        return out.getvalue()
