"""Who is what: a student's categories, poor village and stage, their tier and rank under a policy.

The facts come as plain rows (`subsidies.selectors.population_facts` reads
them, one query per policy); everything here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any

from students.models import HouseholdCategory, Stage
from subsidies.models import Category
from subsidies.rules.policy import PolicySpec

NO_PRIORITY = 99
POOR_VILLAGE = "poor_village"
CATEGORY_LABELS: dict[str, str] = {str(value): str(label) for value, label in Category.choices}
STAGE_LABELS: dict[str, str] = {str(value): str(label) for value, label in Stage.choices}

# The household's registered hardship categories, each a fact of the row under its key.
HOUSEHOLD_FACTS = {
    Category.EXTREME: HouseholdCategory.EXTREME,
    Category.REGISTERED: HouseholdCategory.REGISTERED,
    Category.DIBAO: HouseholdCategory.DIBAO,
    Category.OTHER: HouseholdCategory.OTHER,
}
HOUSEHOLD_FACT_KEYS = {category: f"hh_{category}" for category in HOUSEHOLD_FACTS}
_household_flags = itemgetter(*HOUSEHOLD_FACT_KEYS.values())

# The enrollment's own facts every row carries besides the household ones.
FACT_FIELDS = (
    "id",
    "student_id",
    "school_id",
    "stage",
    "grade",
    "is_boarding",
    "is_agri_major",
    "study_year",
    "school__name",
    "school__tuition",
    "student__name",
    "student__id_number",
    "student__is_orphan",
    "student__is_martyr_child",
    "student__is_disabled",
    "student__household__village__is_poor_village",
)


def categories_of(row: Mapping[str, Any]) -> frozenset[str]:
    """A fact row's categories, `hardship` derived from the household's and the orphan's.

    "家庭困难儿童、烈士子女、孤儿和残疾儿童"
    """
    return _categories(
        tuple(bool(v) for v in _household_flags(row)),
        bool(row["student__is_orphan"]),
        bool(row["student__is_martyr_child"]),
        bool(row["student__is_disabled"]),
        row["stage"] == Stage.SPECIAL,
        bool(row["is_agri_major"]),
    )


@lru_cache(maxsize=1024)
def _categories(
    household: tuple[bool, ...], orphan: bool, martyr: bool, disabled: bool, special: bool, agri: bool
) -> frozenset[str]:
    found = {Category.ALL.value}
    found.update(c.value for c, present in zip(HOUSEHOLD_FACTS, household, strict=True) if present)
    for flag, category in (
        (orphan, Category.ORPHAN),
        (martyr, Category.MARTYR_CHILD),
        (disabled, Category.DISABLED),
        (special, Category.SPECIAL_ED),
        (agri, Category.AGRI_MAJOR),
    ):
        if flag:
            found.add(category.value)
    if any(household) or orphan:
        found.add(Category.HARDSHIP.value)
    return frozenset(found)


def in_poor_village(row: Mapping[str, Any]) -> bool:
    """Whether the student's household lives in a province-designated poor village (省定贫困村)."""
    return bool(row["student__household__village__is_poor_village"])


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


def category_labels(codes: Iterable[str]) -> str:
    return "、".join(CATEGORY_LABELS.get(c, c) for c in codes)


@lru_cache(maxsize=1024)
def facts_line(categories: frozenset[str], poor_village: bool) -> str:
    """The first line of every decision's reasons: what the registry says of the student."""
    facts = [
        label
        for code, label in CATEGORY_LABELS.items()
        if code in categories and code not in (Category.ALL, Category.HARDSHIP)
    ]
    if poor_village:
        facts.append("家庭在省定贫困村")
    return f"学生情况：{'、'.join(facts) or '无登记困难类别'}"


@lru_cache(maxsize=1024)
def stored_categories(categories: frozenset[str], poor_village: bool) -> tuple[str, ...]:
    """The codes kept on the entitlement: its categories, plus `poor_village` for full coverage."""
    return tuple(sorted(categories | ({POOR_VILLAGE} if poor_village else set())))


def tier_for(spec: PolicySpec, categories: Iterable[str]) -> int | None:
    """The highest tier any of the student's qualifying categories maps to; the lowest tier otherwise.

    A category that does not qualify for the policy (残疾 for HS-GRANT) gives
    no tier: "对就读全日制普通高中学校（含民办）在校生中的家庭困难学生进行资助";
    "平均资助标准为每生每年2000元(具体分为3档,1档1500元、2档2000元、3档2500元)"
    """
    if not spec.tiers:
        return None
    qualifying = spec.qualifying_categories
    mapped = [spec.categories[c].tier for c in categories if c in qualifying]
    mapped = [t for t in mapped if t is not None and t in spec.tiers]
    return max(mapped) if mapped else min(spec.tiers)


def tier_why(spec: PolicySpec, categories: frozenset[str], tier: int) -> str:
    qualifying = spec.qualifying_categories
    mapped = sorted(c for c in categories if c in qualifying and spec.categories[c].tier == tier)
    if mapped:
        return f"{category_labels(mapped)}对应 {tier} 档"
    return f"无对应类别，按最低档 {tier} 档"


def priority_for(spec: PolicySpec, categories: Iterable[str]) -> int:
    """A student ranks by their neediest category (the lowest priority number).

    "When more students qualify than the quota, the neediest come first" (DOMAIN.md).
    """
    ranks = [spec.categories[c].priority for c in categories if c in spec.categories]
    ranks = [r for r in ranks if r is not None]
    return min(ranks) if ranks else NO_PRIORITY


def neediest_first(priority: int, row: Mapping[str, Any]) -> tuple[int, str, int]:
    """The order of the quota: neediest category first, then by ID number, then the oldest row."""
    return (priority, row["student__id_number"], row["id"])
