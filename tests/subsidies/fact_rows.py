"""Plain fact rows and policy snapshots for the pure rules of `subsidies.rules` (no database).

`seed_spec` reads a policy of fixtures/policies_seed.json (the seed's policies, as `load_policies`
installs them) straight into a `PolicySpec`; `fact_row` builds one row the way
`subsidies.selectors.population_facts` reads it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from subsidies.models import PolicyKind
from subsidies.rules.policy import CategoryRule, DailyRate, PolicySpec

SEED_POLICIES = Path(__file__).resolve().parents[2] / "fixtures" / "policies_seed.json"
COMPUTED_KINDS = (
    PolicyKind.TIERED_GRANT,
    PolicyKind.FLAT_GRANT,
    PolicyKind.PER_DAY,
    PolicyKind.TUITION_WAIVER,
)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


@cache
def seed_specs() -> dict[str, PolicySpec]:
    """Every policy of the seed that the rules compute (not those by application), by code."""
    policies = json.loads(SEED_POLICIES.read_text(encoding="utf-8"))["policies"]
    specs = {}
    for pk, p in enumerate(policies, start=1):
        if p["kind"] not in COMPUTED_KINDS or p.get("by_application"):
            continue
        specs[p["code"]] = PolicySpec(
            id=pk,
            code=p["code"],
            name=p["name"],
            kind=p["kind"],
            stages=tuple(p["stages"].split(",")),
            annual_amount=_decimal(p.get("annual_amount")),
            average_standard=_decimal(p.get("average_standard")),
            tiers={t["tier"]: Decimal(t["annual_amount"]) for t in p.get("tiers", ())},
            stage_amounts={
                s["stage"]: Decimal(s["annual_amount"]) for s in p.get("stage_amounts", ())
            },
            daily_rates=tuple(
                DailyRate(r["category"], Decimal(r["rate"]), Decimal(r["days_per_year"]))
                for r in p.get("daily_rates", ())
            ),
            categories={
                c["category"]: CategoryRule(
                    c["category"], c["qualifies"], c["tier"], c["priority"], c["quota_exempt"]
                )
                for c in p.get("categories", ())
            },
            quota_ratio=_decimal(p.get("quota_ratio")),
            quota_base=p.get("quota_base", "population"),
            floor_ratio=_decimal(p.get("floor_ratio")),
            floor_base=p.get("floor_base", "population"),
            floor_category=p.get("floor_category", ""),
            poor_village_full_coverage=p.get("poor_village_full_coverage", True),
            poor_village_in_quota=p.get("poor_village_in_quota", True),
            lifted_households_count=p.get("lifted_households_count", True),
        )
    return specs


def seed_spec(code: str) -> PolicySpec:
    return seed_specs()[code]


def fact_row(
    pk: int,
    *,
    student: int | None = None,
    school: int = 1,
    stage: str = "high",
    household: tuple[str, ...] = (),
    orphan: bool = False,
    martyr: bool = False,
    disabled: bool = False,
    poor_village: bool = False,
    boarding: bool = False,
    agri: bool = False,
    tuition: Decimal | None = None,
    id_number: str | None = None,
) -> dict[str, Any]:
    """One enrollment as `population_facts` reads it; `household` lists the household's categories."""
    student = student or pk
    return {
        "id": pk,
        "student_id": student,
        "school_id": school,
        "stage": stage,
        "grade": 1,
        "is_boarding": boarding,
        "is_agri_major": agri,
        "study_year": 1,
        "school__name": f"第{school}学校",
        "school__tuition": tuition,
        "student__name": f"学生{student}",
        "student__id_number": id_number or f"{student:018d}",
        "student__is_orphan": orphan,
        "student__is_martyr_child": martyr,
        "student__is_disabled": disabled,
        "student__household__village__is_poor_village": poor_village,
        "hh_extreme": "extreme" in household,
        "hh_registered": "registered" in household,
        "hh_dibao": "dibao" in household,
        "hh_other": "other" in household,
    }
