"""The formal workbooks: one module per workbook; the export centre's are `ExportKind`s registered in apps.py."""
