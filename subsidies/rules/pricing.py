"""One small rule per policy kind: the amount for one term, or None when the kind does not pay.

A new policy kind is a new small function registered in `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from subsidies.models import PolicyKind
from subsidies.rules.facts import CATEGORY_LABELS, stage_label
from subsidies.rules.policy import DailyRate, PolicySpec

CENT = Decimal("0.01")
TERMS_PER_YEAR = 2


def money(value: Decimal) -> Decimal:
    """Yuan to the cent, rounded half up (四舍五入)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def per_term(annual: Decimal) -> Decimal:
    """Half the annual amount.

    "Aid is normally paid per term (秋季学期 autumn, 春季学期 spring), half the
    annual amount each term" (DOMAIN.md).
    """
    return money(annual / TERMS_PER_YEAR)


def term_days(rate: DailyRate) -> Decimal:
    """Half the year's days: 365 → 182.5."""
    return rate.days_per_year / TERMS_PER_YEAR


def term_amount(rate: DailyRate) -> Decimal:
    """The rate × the term's days, rounded once (not the rounded half of a rounded year)."""
    return money(rate.rate * rate.days_per_year / TERMS_PER_YEAR)


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    text: str
    tier: int | None = None


Rule = Callable[[PolicySpec, Mapping[str, Any], frozenset[str], "int | None"], "Amount | None"]


def tiered_grant(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Tiered annual grants (PRE-GRANT, HS-GRANT): the tier's annual amount, half a term.

    "平均资助标准为每生每年2000元(具体分为3档,1档1500元、2档2000元、3档2500元)"
    """
    if tier is None or tier not in spec.tiers:
        return None
    annual = spec.tiers[tier]
    amount = per_term(annual)
    return Amount(amount, f"{tier}档：每年 {annual} 元，本学期 {amount} 元", tier)


def flat_grant(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Flat annual grants (CMP-BOARD by stage, VOC-GRANT): the stage's amount or the policy's, half a term.

    "平均资助标准为小学每生每年IoOo元,中学每生每年1250元" (the seed's "IoOo" reads 1000).
    """
    annual = spec.stage_amounts.get(row["stage"], spec.annual_amount)
    if annual is None:
        return None
    amount = per_term(annual)
    return Amount(amount, f"{stage_label(row['stage'])}每生每年 {annual} 元，本学期 {amount} 元")


def per_day(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Per-day programs (CMP-NUTRI, CMP-MEAL): rate × days of the term; one rate, the highest.

    "具体标准为孤儿每天补助10元,每年按365天计算;特教学校学生每天10元,每年按200天计算;
    低保和其他家庭困难学生每天补助3元,每年按200天计算" — and "per-day programs pay one
    rate, the highest that applies" (DOMAIN.md).
    """
    applicable = [rate for rate in spec.daily_rates if rate.category in categories]
    if not applicable:
        return None
    best = max(applicable, key=lambda rate: (term_amount(rate), rate.category))
    amount = term_amount(best)
    label = CATEGORY_LABELS.get(best.category, best.category)
    text = f"{label}：每天 {best.rate} 元 × 本学期 {term_days(best).normalize():f} 天 = {amount} 元"
    if len(applicable) > 1:
        text += "（多项标准取最高）"
    return Amount(amount, text)


def tuition_waiver(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Tuition waivers (VOC-FREE): the school's annual tuition standard, half a term.

    "对公办中等职业学校在校生全部免除学费"
    """
    annual = row.get("school__tuition")
    # A school charging no tuition has nothing to waive: no 0-yuan entitlement (the summary warns).
    if annual is None or Decimal(annual) <= 0:
        return None
    amount = per_term(Decimal(annual))
    return Amount(amount, f"学校学费标准每年 {annual} 元，本学期免除 {amount} 元")


def outranking_floor(spec: PolicySpec) -> frozenset[str]:
    """The categories paid a higher daily rate than the floor's category: they do not count for the floor.

    "低保和其他家庭困难学生每天补助3元…其他家庭困难学生资助比例不低于在校生的15%": the
    floor counts the students paid the hardship rate, not orphans or special-education
    students paid 10 yuan (one rate per student, the highest).
    """
    floor_rates = [r for r in spec.daily_rates if r.category == spec.floor_category]
    if not floor_rates:
        return frozenset()
    floor_amount = max(term_amount(r) for r in floor_rates)
    return frozenset(r.category for r in spec.daily_rates if term_amount(r) > floor_amount)


def counts_for_floor(spec: PolicySpec, categories: frozenset[str] | tuple[str, ...]) -> bool:
    """Whether an awarded student with these categories counts towards the policy's floor."""
    if not spec.floor_category:
        return True
    return spec.floor_category in categories and not (outranking_floor(spec) & set(categories))


RULES: dict[str, Rule] = {
    PolicyKind.TIERED_GRANT: tiered_grant,
    PolicyKind.FLAT_GRANT: flat_grant,
    PolicyKind.PER_DAY: per_day,
    PolicyKind.TUITION_WAIVER: tuition_waiver,
}
