"""The roster import: villages, schools and students from the Excel files offices keep.

Every row is validated first, in memory, against dictionaries of what the
database already holds (a handful of queries, one per 10,000 keys, never
one per row); every bad row is reported with its Excel row number and
column. Only when no row is bad is anything written: all rows in one
transaction, in bulk, with history rows for the audited models through
django-simple-history's bulk helpers (SECURITY B7, C4). Rows that change
nothing touch nothing, so importing the same file twice is a no-op.

`words` holds the vocabularies and header aliases, `sheets` the reading and
what every sheet kind shares, `villages`, `schools` and `students` (with
`student_plan`) one sheet kind each, `results` what an import reports, and
`service` the one entry point, `roster_import`.
"""

from students.importing.results import ImportFileError, ImportReport, RowError
from students.importing.service import roster_import
from students.importing.words import KINDS

__all__ = ["KINDS", "ImportFileError", "ImportReport", "RowError", "roster_import"]
