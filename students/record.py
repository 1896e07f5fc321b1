"""The student record (学生档案): what other apps show about a student on the registry's page.

`students` may not import the apps above it (ARCHITECTURE: imports point down), yet the
student's page should show their aid, payments and home visits. So those apps
**register** a section here from their `AppConfig.ready()`, as they register admin-index
sections and export kinds; the student admin asks for every registered section and
knows none of them. A section is a function `(actor, student) -> RecordSection | None`:
it reads only what `actor` may see (`scope_queryset`), returns None when the actor may
not see that kind of record at all, and returns display text, never model instances,
so the page renders them the same way whatever the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Student


@dataclass(frozen=True)
class RecordSection:
    """One table on the student's page: a title, its column heads, rows of display text."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]]
    empty: str = "无记录"

    @property
    def numeric(self) -> frozenset[int]:
        """Column positions shown right-aligned: the amounts, whose heads say （元）."""
        return frozenset(i for i, column in enumerate(self.columns) if "（元）" in column)


SectionFunction = Callable[["Actor", "Student"], "RecordSection | None"]

# (order, identifier, function): sections appear by order, then in registration order.
_SECTIONS: dict[str, tuple[int, SectionFunction]] = {}


def student_record_section_register(
    identifier: str, function: SectionFunction, *, order: int = 100
) -> None:
    """Show `function`'s section on every student's page; called from an app's `AppConfig.ready()`.

    Registering the same identifier again replaces it (an app registry populated twice).
    """
    _SECTIONS[identifier] = (order, function)


def student_record_sections(actor: Actor, student: Student) -> list[RecordSection]:
    """The sections `actor` may see about `student`, in order."""
    ordered = sorted(_SECTIONS.items(), key=lambda item: item[1][0])
    sections = (function(actor, student) for _identifier, (_order, function) in ordered)
    return [section for section in sections if section is not None]
