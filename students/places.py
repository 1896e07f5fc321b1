"""The township or school a file is about when its maker did not pick one.

A township officer's or a director's scope is one township or one school: a workbook
or PDF they make "for everything I can see" holds only that place, so its title,
填报单位 and file name must name it, not the county.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidsite.access import user_scope
from students.models import School, Township

if TYPE_CHECKING:
    from aidsite.access import Actor


def own_place(actor: Actor) -> tuple[Township | None, School | None]:
    """(township, school) of a township- or school-scoped actor; (None, None) county-wide."""
    scope = user_scope(actor)
    if scope.school_id is not None:
        school = School.objects.select_related("township").get(pk=scope.school_id)
        return school.township, school
    if scope.township_id is not None:
        return Township.objects.get(pk=scope.township_id), None
    return None, None


def place_or_own(
    actor: Actor, township: Township | None = None, school: School | None = None
) -> tuple[Township | None, School | None]:
    """The chosen township and school, or, when neither was chosen, the actor's own."""
    if township is not None or school is not None:
        return township, school
    return own_place(actor)
