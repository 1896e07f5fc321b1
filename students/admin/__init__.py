"""The registry back office: declarative admins, the student export and the roster import page.

Every admin mixes in `ScopedModelAdmin`, so lists, pages, search, choices and
filters hold only the user's township or school. ID numbers and phones are
masked in lists for everyone and on pages for roles without the reveal permission.

One module per concern: `places` (townships, villages, schools, school years,
terms), `households`, `students` (students and enrollments), `search` (finding
people by a full or masked ID number or phone), `resources` (the export) and
`roster_import` (the import page). Importing them here registers the admins.
"""

from students.admin.external_lists import ExternalListImportAdmin
from students.admin.households import HouseholdAdmin
from students.admin.places import (
    SchoolAdmin,
    SchoolYearAdmin,
    TermAdmin,
    TownshipAdmin,
    VillageAdmin,
)
from students.admin.resources import StudentExportResource
from students.admin.students import EnrollmentAdmin, StudentAdmin

__all__ = [
    "EnrollmentAdmin",
    "ExternalListImportAdmin",
    "HouseholdAdmin",
    "SchoolAdmin",
    "SchoolYearAdmin",
    "StudentAdmin",
    "StudentExportResource",
    "TermAdmin",
    "TownshipAdmin",
    "VillageAdmin",
]
