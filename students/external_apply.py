"""Applying reviewed list differences to the registry, in bulk, each change with its history row.

Called inside the import's transaction (`external_list_import`): households
first (new ones, then moves), then members, categories and students. Every
history row names the list and who applied it (`change_reason`), so the
audit trail (SECURITY C4) and the aid summary's flag (`condition_changes_count`)
can tell these changes from others.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from aidsite.access import actor_user
from aidsite.lib.idcard import check_id_number
from students.external_compare import Difference, HouseholdRef
from students.external_models import ExternalSource
from students.importing.student_plan import (
    _create_with_history,
    _update_with_history,
    hardships_delete_with_history,
)
from students.models import Household, HouseholdHardship, HouseholdMember, Student

if TYPE_CHECKING:
    from aidsite.access import Actor

# Every history row an applied difference writes starts with this (the aid summary looks for it).
LIST_CHANGE_REASON_PREFIX = "外部名单比对"


def change_reason(*, source: str, actor: Actor) -> str:
    return f"{LIST_CHANGE_REASON_PREFIX}：{ExternalSource(source).label}（{actor}应用）"


def differences_apply(*, differences: list[Difference], source: str, actor: Actor) -> int:
    """Apply every difference that has an action; returns how many. The caller holds the transaction."""
    actions: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for difference in differences:
        if difference.action is not None:
            actions[difference.action[0]].append(difference.action[1:])
    history = {
        "default_user": actor_user(actor),
        "default_change_reason": change_reason(source=source, actor=actor),
        "default_date": timezone.now(),
    }
    household_pks = _households(actions, history)

    def resolve(ref: HouseholdRef) -> int:
        return ref if isinstance(ref, int) else household_pks[ref]

    _create_with_history(
        HouseholdMember,
        actions["member_add"],
        lambda a: _member(resolve(a[0]), *a[1:]),
        history,
    )
    _update_with_history(
        HouseholdMember,
        [(pk, (name,)) for pk, name in actions["member_rename"]],
        ("name",),
        history,
    )
    _create_with_history(
        HouseholdHardship,
        actions["hardship_add"],
        lambda a: HouseholdHardship(household_id=resolve(a[0]), category=a[1], **a[2]),
        history,
    )
    for fields, group in _by_fields(actions["hardship_update"]).items():
        _update_with_history(HouseholdHardship, group, fields, history)
    _hardships_end(actions["hardship_end"], history)
    _update_with_history(
        Student,
        [
            (pk, (disabled, certificate))
            for pk, disabled, certificate in actions["student_disability"]
        ],
        ("is_disabled", "disability_certificate"),
        history,
    )
    return sum(len(group) for group in actions.values())


def _households(
    actions: dict[str, list[tuple[Any, ...]]], history: dict[str, Any]
) -> dict[tuple[int, str], int]:
    """Create the households the list names and the registry lacks; move those it places elsewhere."""
    refs = {
        a[0] for a in actions["member_add"] + actions["hardship_add"] if not isinstance(a[0], int)
    }
    created = _create_with_history(
        Household,
        sorted(refs),
        lambda ref: Household(village_id=ref[0], head_name=ref[1]),
        history,
        key=lambda obj: (obj.village_id, obj.head_name),
    )
    _update_with_history(Household, [(pk, (village_id,)) for pk, village_id in actions["household_move"]],
                         ("village_id",), history)  # fmt: skip
    return created


def _member(household_id: int, name: str, id_number: str, relation: str) -> HouseholdMember:
    facts = check_id_number(id_number)
    return HouseholdMember(
        household_id=household_id, name=name, id_number=id_number, relation=relation,
        sex=facts.sex, birth_date=facts.birth_date,
    )  # fmt: skip


def _by_fields(
    updates: list[tuple[Any, ...]],
) -> dict[tuple[str, ...], list[tuple[int, tuple[Any, ...]]]]:
    """Hardship updates grouped by the fields they set (poverty: status; civil: dates)."""
    grouped: dict[tuple[str, ...], list[tuple[int, tuple[Any, ...]]]] = defaultdict(list)
    for pk, values in updates:
        grouped[tuple(values)].append((pk, tuple(values.values())))
    return grouped


def _hardships_end(ends: list[tuple[Any, ...]], history: dict[str, Any]) -> None:
    """Record each end date (a `~` history row), then delete the category with its `-` history row."""
    dated = [(pk, (end_date,)) for pk, end_date in ends if end_date is not None]
    _update_with_history(HouseholdHardship, dated, ("end_date",), history)
    hardships_delete_with_history([pk for pk, _end in ends], history)
