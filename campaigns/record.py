"""The student record's home-visit section (registered in apps.py): visits to the child or their family."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from aidsite.access import scope_queryset
from campaigns.models import HomeVisit
from students.record import RecordSection

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Student


def _follow_up(visit: HomeVisit) -> str:
    if not visit.follow_up_needed:
        return "无需跟进"
    return "跟进已完成" if visit.follow_up_done else "待跟进"


def visits_section(actor: Actor, student: Student) -> RecordSection | None:
    """走访记录: visits that named the child, or visited the child's family, newest first."""
    if not actor.has_perm("campaigns.view_homevisit"):
        return None
    visits = (
        scope_queryset(
            actor,
            HomeVisit.objects.filter(Q(children=student) | Q(household_id=student.household_id)),
        )
        .select_related("school")
        .distinct()
        .order_by("-visited_at", "-pk")
    )
    rows = [
        (
            f"{timezone.localtime(v.visited_at):%Y-%m-%d}",
            v.school.name,
            v.led_by,
            v.get_actions_display() or "—",
            _follow_up(v),
        )
        for v in visits
    ]
    return RecordSection(
        title="走访记录",
        columns=("走访日期", "幼儿园", "带队人", "走访内容", "跟进"),
        rows=rows,
        empty="尚无走访记录",
    )
