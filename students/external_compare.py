"""The differences between an external list and the registry (名单比对差异), set-based.

`registry_load` reads what the comparison needs in a constant number of
queries (villages, households, members, students, hardships: one each,
whatever the county's size); `differences_compute` is then plain Python over
dictionaries. Each `Difference` carries the action that applies it (None for
one that needs a person to decide, such as a student's name, which the school
roster owns); applying every action makes the comparison find none again.

How the lists are read:
- a household on a list is the registry household of its first member whose ID
  the registry knows (member, else student), else the one with the same head in
  the same village, else a new one; a registry household elsewhere is 迁至其他村;
- a list covers the townships it names: a registry category (建档立卡 for the
  扶贫 list, 低保/特困 for the civil list) of a household in those townships that
  the list no longer holds is 类别终止; a certificate the federation's list no
  longer holds ends a student's 残疾;
- civil categories carry 起始日期/终止日期: a category whose every spell has
  ended (终止日期 on or before today) is 类别终止, one still current is kept
  with its dates; poverty carries 脱贫状态 and 脱贫年度.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from aidsite.lib.idcard import mask_id_number
from students.external_lists import ListDifference
from students.external_models import ExternalSource
from students.importing.external import ExternalRow
from students.importing.words import place_name
from students.models import (
    Household,
    HouseholdCategory,
    HouseholdHardship,
    HouseholdMember,
    PovertyStatus,
    Relation,
    Student,
    Village,
)

NEW_PERSON, NAME, MOVED, GAINED, CHANGED, ENDED = (
    "新增人员",
    "姓名不一致",
    "迁至其他村",
    "新增类别",
    "类别状态变化",
    "类别终止",
)
KINDS = (NEW_PERSON, NAME, MOVED, GAINED, CHANGED, ENDED)
LIST_CATEGORIES = {
    ExternalSource.POVERTY: (HouseholdCategory.REGISTERED,),
    ExternalSource.CIVIL: (HouseholdCategory.DIBAO, HouseholdCategory.EXTREME),
}
_CATEGORY_LABELS = dict(HouseholdCategory.choices)
_STATUS_LABELS = dict(PovertyStatus.choices)
_RELATION_LABELS = dict(Relation.choices)

# A household the list names and the registry does not hold yet: (village_id, head_name).
HouseholdRef = int | tuple[int, str]


@dataclass(frozen=True)
class Difference:
    """One difference, where it belongs (township), what each side says and how to apply it."""

    source: str
    kind: str
    name: str
    id_number: str
    township_id: int | None
    registry: str
    external: str
    action: tuple[Any, ...] | None = None

    def as_list_difference(self) -> ListDifference:
        return ListDifference(
            name=self.name,
            id_number=self.id_number,
            source=str(ExternalSource(self.source).label),
            difference=self.kind,
            registry=self.registry,
            external=self.external,
        )


@dataclass
class Registry:
    """What the comparison reads of the registry, keyed as the lists name things."""

    villages: dict[tuple[str, str], int] = field(default_factory=dict)  # (township, village) → pk
    village_places: dict[int, tuple[int, str]] = field(
        default_factory=dict
    )  # pk → (township pk, label)
    households: dict[int, tuple[int, str]] = field(default_factory=dict)  # pk → (village pk, head)
    by_head: dict[tuple[int, str], int] = field(default_factory=dict)
    members: dict[str, tuple[int, str, int]] = field(
        default_factory=dict
    )  # id → (pk, name, household)
    students: dict[str, tuple[int, str, int, bool, str]] = field(default_factory=dict)
    hardships: dict[tuple[int, str], tuple[Any, ...]] = field(default_factory=dict)

    def township_of(self, household_id: int | None) -> int | None:
        if household_id is None or household_id not in self.households:
            return None
        return self.village_places[self.households[household_id][0]][0]


def registry_load() -> Registry:
    """The registry as dictionaries: six queries, whatever the county's size."""
    registry = Registry()
    for pk, township_id, township, village in Village.objects.values_list(
        "pk", "township_id", "township__name", "name"
    ):
        registry.villages[(place_name(township), place_name(village))] = pk
        registry.village_places[pk] = (township_id, f"{township}{village}")
    for pk, village_id, head in Household.objects.values_list("pk", "village_id", "head_name"):
        registry.households[pk] = (village_id, head)
        registry.by_head[(village_id, head)] = pk
    for pk, id_number, name, household_id in HouseholdMember.objects.values_list(
        "pk", "id_number", "name", "household_id"
    ):
        registry.members[id_number] = (pk, name, household_id)
    for pk, id_number, *rest in Student.objects.values_list(
        "pk", "id_number", "name", "household_id", "is_disabled", "disability_certificate"
    ):
        registry.students[id_number] = (pk, *rest)
    for pk, household_id, category, *rest in HouseholdHardship.objects.values_list(
        "pk", "household_id", "category", "status", "year_lifted", "start_date", "end_date"
    ):
        registry.hardships[(household_id, category)] = (pk, *rest)
    return registry


def differences_compute(
    source: str, rows: Iterable[ExternalRow], registry: Registry, *, today: dt.date | None = None
) -> list[Difference]:
    """Every difference between the list's rows and the registry, in the list's order."""
    today = today or timezone.localdate()
    rows = list(rows)
    if source == ExternalSource.DISABILITY:
        return _disability(rows, registry)
    return _HouseholdList(source, registry, today).compare(rows)


def _masked_certificate(certificate: str) -> str:
    return mask_id_number(certificate[:18]) + certificate[18:] if certificate else ""


def _disability(rows: list[ExternalRow], registry: Registry) -> list[Difference]:
    """Students only: the registry records disability on the student (是否残疾, 残疾证号)."""
    found: list[Difference] = []
    listed: set[str] = set()
    for row in rows:
        listed.add(row.id_number)
        student = registry.students.get(row.id_number)
        if student is None:
            continue
        pk, name, household_id, is_disabled, certificate = student
        township_id = registry.township_of(household_id)
        external = f"{row.disability_kind}残疾{row.disability_grade}级，证号 {_masked_certificate(row.certificate)}"
        if name != row.name:
            found.append(Difference(
                ExternalSource.DISABILITY, NAME, row.name, row.id_number, township_id,
                f"学生名册：{name}（以学籍为准，请核实后在学生名册中更正）", f"残联名单：{row.name}",
            ))  # fmt: skip
        if not is_disabled or certificate != row.certificate:
            registry_text = (
                f"残疾，证号 {_masked_certificate(certificate) or '未登记'}"
                if is_disabled
                else "未登记残疾"
            )
            found.append(Difference(
                ExternalSource.DISABILITY, GAINED, name, row.id_number, township_id, registry_text, external,
                ("student_disability", pk, True, row.certificate),
            ))  # fmt: skip
    for id_number, (pk, name, household_id, _disabled, certificate) in registry.students.items():
        if certificate and id_number not in listed:
            found.append(Difference(
                ExternalSource.DISABILITY, ENDED, name, id_number, registry.township_of(household_id),
                f"残疾，证号 {_masked_certificate(certificate)}", "残联名单中没有此人（残疾证已注销或未换证）",
                ("student_disability", pk, False, ""),
            ))  # fmt: skip
    return found


@dataclass
class _ListHousehold:
    """The rows of one household on a list, and the registry household they match (None: new)."""

    village_id: int
    head_name: str
    rows: list[ExternalRow] = field(default_factory=list)
    registry_pk: int | None = None

    @property
    def ref(self) -> HouseholdRef:
        return (
            self.registry_pk if self.registry_pk is not None else (self.village_id, self.head_name)
        )

    def head_id(self, heads: dict[int, str]) -> str:
        """The head's ID number: from the head's own row, else the registry's head, else unknown."""
        row = next((r for r in self.rows if r.name == self.head_name), None)
        if row is not None:
            return row.id_number
        return heads.get(self.registry_pk, "") if self.registry_pk is not None else ""


class _HouseholdList:
    """The 扶贫 and civil lists: households of people, each household with its categories."""

    def __init__(self, source: str, registry: Registry, today: dt.date) -> None:
        self.source = source
        self.registry = registry
        self.today = today
        self.found: list[Difference] = []
        self.heads = _head_ids(registry)

    def compare(self, rows: list[ExternalRow]) -> list[Difference]:
        households = self._households(rows)
        covered = {self.registry.village_places[h.village_id][0] for h in households}
        seen_people: set[str] = set()
        for household in households:
            self._moved(household)
            if household.registry_pk is None and not any(
                w["current"] for w in self._wanted(household).values()
            ):
                continue  # a household whose every spell has ended is not new to the registry
            for row in household.rows:
                if row.id_number not in seen_people:
                    seen_people.add(row.id_number)
                    self._person(household, row)
        held = self._categories(households)
        self._no_longer_listed(covered, held)
        return self.found

    def add(self, kind: str, row_or_name: ExternalRow | tuple[str, str], township_id: int | None,
            registry: str, external: str, action: tuple[Any, ...] | None = None) -> None:  # fmt: skip
        name, id_number = (
            (row_or_name.name, row_or_name.id_number)
            if isinstance(row_or_name, ExternalRow)
            else row_or_name
        )
        self.found.append(
            Difference(self.source, kind, name, id_number, township_id, registry, external, action)
        )

    def _households(self, rows: list[ExternalRow]) -> list[_ListHousehold]:
        grouped: dict[tuple[int, str], _ListHousehold] = {}
        for row in rows:
            village_id = self.registry.villages[(place_name(row.township), place_name(row.village))]
            key = (village_id, row.head_name)
            grouped.setdefault(key, _ListHousehold(village_id, row.head_name)).rows.append(row)
        for household in grouped.values():
            household.registry_pk = self._match(household)
        return list(grouped.values())

    def _match(self, household: _ListHousehold) -> int | None:
        for row in household.rows:
            person = self.registry.members.get(row.id_number)
            if person is not None:
                return person[2]
        for row in household.rows:
            student = self.registry.students.get(row.id_number)
            if student is not None:
                return student[2]
        return self.registry.by_head.get((household.village_id, household.head_name))

    def _township(self, household: _ListHousehold) -> int:
        return self.registry.village_places[household.village_id][0]

    def _moved(self, household: _ListHousehold) -> None:
        if household.registry_pk is None:
            return
        village_id, head = self.registry.households[household.registry_pk]
        if village_id == household.village_id:
            return
        places = self.registry.village_places
        action = None
        if (household.village_id, head) not in self.registry.by_head:
            action = ("household_move", household.registry_pk, household.village_id)
        self.add(
            MOVED, (head, household.head_id(self.heads)), self._township(household),
            f"{places[village_id][1]} {head}户",
            f"{places[household.village_id][1]} {household.head_name}户"
            + ("" if action else "（该村已有同名户主的家庭，请核实后处理）"),
            action,
        )  # fmt: skip

    def _person(self, household: _ListHousehold, row: ExternalRow) -> None:
        member = self.registry.members.get(row.id_number)
        township_id = self._township(household)
        if member is not None:
            if member[1] != row.name:
                self.add(NAME, row, township_id, f"家庭成员：{member[1]}", f"名单：{row.name}",
                         ("member_rename", member[0], row.name))  # fmt: skip
            return
        student = self.registry.students.get(row.id_number)
        place = self.registry.village_places[household.village_id][1]
        relation = _RELATION_LABELS.get(row.relation, "")
        self.add(
            NEW_PERSON, row, township_id,
            f"学生名册中有此人（{student[1]}），家庭成员中没有" if student else "未登记",
            f"{place} {household.head_name}户{('，' + relation) if relation else ''}",
            ("member_add", household.ref, row.name, row.id_number, row.relation or Relation.OTHER),
        )  # fmt: skip

    def _categories(self, households: list[_ListHousehold]) -> set[tuple[HouseholdRef, str]]:
        """Categories each household gains, changes or ends; returns those the list speaks of."""
        held: set[tuple[HouseholdRef, str]] = set()
        for household in households:
            for category, wanted in self._wanted(household).items():
                if (household.ref, category) in held:
                    continue
                held.add((household.ref, category))
                self._category(household, category, wanted)
        return held

    def _wanted(self, household: _ListHousehold) -> dict[str, dict[str, Any]]:
        """Per category, the fields the registry's hardship should have; `current` False when ended."""
        wanted: dict[str, dict[str, Any]] = {}
        for row in household.rows:
            if self.source == ExternalSource.POVERTY:
                wanted[row.category] = {
                    "status": row.status,
                    "year_lifted": row.year_lifted,
                    "current": True,
                }
                continue
            spell = wanted.setdefault(row.category, {"starts": [], "ends": []})
            spell["starts"].append(row.start_date)
            spell["ends"].append(row.end_date)
        if self.source == ExternalSource.CIVIL:
            for spell in wanted.values():
                starts, ends = [d for d in spell.pop("starts") if d], spell.pop("ends")
                spell["start_date"] = min(starts) if starts else None
                spell["end_date"] = None if None in ends else max(ends)
                spell["current"] = spell["end_date"] is None or spell["end_date"] > self.today
        return wanted

    def _category(self, household: _ListHousehold, category: str, wanted: dict[str, Any]) -> None:
        current = household.registry_pk and self.registry.hardships.get(
            (household.registry_pk, category)
        )
        label = _CATEGORY_LABELS[category]
        township_id = self._township(household)
        who = (household.head_name, household.head_id(self.heads))
        external = f"{label}{_spell_text(wanted)}"
        fields = {k: v for k, v in wanted.items() if k != "current"}
        if not wanted["current"]:
            if current:
                self.add(ENDED, who, township_id, f"{label}{_registered_text(current, category)}", external,
                         ("hardship_end", current[0], wanted["end_date"]))  # fmt: skip
            return
        if not current:
            self.add(GAINED, who, township_id, f"未登记{label}", external,
                     ("hardship_add", household.ref, category, fields))  # fmt: skip
            return
        registered = dict(
            zip(("status", "year_lifted", "start_date", "end_date"), current[1:], strict=True)
        )
        if any(registered[k] != v for k, v in fields.items()):
            self.add(CHANGED, who, township_id, f"{label}{_registered_text(current, category)}", external,
                     ("hardship_update", current[0], fields))  # fmt: skip

    def _no_longer_listed(self, covered: set[int], held: set[tuple[HouseholdRef, str]]) -> None:
        """Registry categories of the list's kind, in the townships it covers, that it no longer holds."""
        categories = LIST_CATEGORIES[ExternalSource(self.source)]
        for (household_id, category), current in self.registry.hardships.items():
            if category not in categories or (household_id, category) in held:
                continue
            township_id = self.registry.township_of(household_id)
            if township_id not in covered:
                continue
            head = self.registry.households[household_id][1]
            label = _CATEGORY_LABELS[category]
            self.add(ENDED, (head, self.heads.get(household_id, "")), township_id,
                     f"{label}{_registered_text(current, category)}", f"{ExternalSource(self.source).label}中没有此户",
                     ("hardship_end", current[0], None))  # fmt: skip


def _head_ids(registry: Registry) -> dict[int, str]:
    """Each household's head's ID number as far as the registry knows it (a member of the head's name)."""
    heads: dict[int, str] = {}
    for id_number, (_pk, name, household_id) in registry.members.items():
        if registry.households.get(household_id, (0, None))[1] == name:
            heads[household_id] = id_number
    return heads


def _spell_text(values: dict[str, Any]) -> str:
    parts = []
    if values.get("status"):
        parts.append(str(_STATUS_LABELS[values["status"]]))
    if values.get("year_lifted"):
        parts.append(f"{values['year_lifted']}年脱贫")
    if values.get("start_date"):
        parts.append(f"起始 {values['start_date']:%Y-%m-%d}")
    if values.get("end_date"):
        parts.append(f"终止 {values['end_date']:%Y-%m-%d}")
    return f"（{'，'.join(parts)}）" if parts else ""


def _registered_text(current: tuple[Any, ...], category: str) -> str:
    _pk, status, year_lifted, start_date, end_date = current
    if category != HouseholdCategory.REGISTERED:
        status = year_lifted = None  # 脱贫状态 is the 扶贫 list's only
    return _spell_text(
        {
            "status": status,
            "year_lifted": year_lifted,
            "start_date": start_date,
            "end_date": end_date,
        }
    )
