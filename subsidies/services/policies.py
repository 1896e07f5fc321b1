"""Giving a school year its policies: a copy of the latest year's, or the shipped seed standards; opening a year."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from aidsite.access import require
from students.models import SchoolYear, Stage
from students.school_years import SchoolYearError, parse_school_year, school_year_open
from subsidies.models import (
    Category,
    Policy,
    PolicyCategory,
    PolicyDailyRate,
    PolicyKind,
    PolicyStageAmount,
    PolicyTier,
)

if TYPE_CHECKING:
    from aidsite.access import Actor

STAGE_LABELS = {value: str(label) for value, label in Stage.choices}
CATEGORY_LABELS = {value: str(label) for value, label in Category.choices}
KIND_LABELS = {value: str(label) for value, label in PolicyKind.choices}
SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "policies_seed.json"

_POLICY_FIELDS = (
    "code",
    "name",
    "kind",
    "level",
    "stages",
    "by_application",
    "order",
    "description",
    "school_rural_only",
    "school_inclusive_only",
    "school_ownership",
    "boarders_only",
    "study_years",
    "annual_amount",
    "average_standard",
    "quota_ratio",
    "quota_base",
    "floor_ratio",
    "floor_base",
    "floor_category",
    "poor_village_full_coverage",
    "poor_village_in_quota",
    "lifted_households_count",
    "transition_end",
    "transition_years",
    "applicant_poor_village_only",
    "applicant_new_entrant_only",
    "partners",
    "loan_cap_postgraduate",
    "loan_max_years",
    "loan_grace_years",
    "loan_rate",
)
_DECIMAL_FIELDS = {"loan_cap_postgraduate", "loan_rate", "annual_amount", "average_standard", "quota_ratio", "floor_ratio", "rate", "days_per_year"}
_INLINES = (
    ("tiers", PolicyTier, ("tier", "annual_amount")),
    ("stage_amounts", PolicyStageAmount, ("stage", "annual_amount")),
    ("daily_rates", PolicyDailyRate, ("category", "rate", "days_per_year")),
    ("categories", PolicyCategory, ("category", "qualifies", "tier", "priority", "quota_exempt")),
)


def _value(name: str, raw: Any) -> Any:
    if name in _DECIMAL_FIELDS and raw is not None:
        return Decimal(str(raw))
    return raw


def _create(school_year: SchoolYear, data: dict[str, Any]) -> Policy:
    policy = Policy(
        school_year=school_year,
        **{name: _value(name, data[name]) for name in _POLICY_FIELDS if name in data},
    )
    policy.full_clean()
    policy.save()
    for key, model, fields in _INLINES:
        rows = [model(policy=policy, **{f: _value(f, row.get(f)) for f in fields if f in row}) for row in data.get(key, [])]
        for row in rows:
            row.full_clean()
        model.objects.bulk_create(rows)
    return policy


def seed_standards(path: Path = SEED_PATH) -> list[dict[str, Any]]:
    """The shipped seed standards (`fixtures/policies_seed.json`) as plain data."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return document["policies"]


def policy_as_data(policy: Policy) -> dict[str, Any]:
    """One policy with its inlines, in the seed file's shape (so a copy and the seed share a loader)."""
    data: dict[str, Any] = {name: getattr(policy, name) for name in _POLICY_FIELDS}
    for key, _model, fields in _INLINES:
        data[key] = [{f: getattr(row, f) for f in fields} for row in getattr(policy, key).all()]
    return data


@transaction.atomic
def policies_seed_load(*, school_year: SchoolYear, path: Path = SEED_PATH) -> list[Policy]:
    """Create the seed standards for a school year that has no policies yet."""
    if Policy.objects.filter(school_year=school_year).exists():
        return []
    return [_create(school_year, data) for data in seed_standards(path)]


@transaction.atomic
def policies_copy(*, source: SchoolYear, target: SchoolYear) -> list[Policy]:
    """Copy every policy of `source`, with its tiers, rates and rules, to `target` (which has none)."""
    if Policy.objects.filter(school_year=target).exists():
        return []
    policies = Policy.objects.filter(school_year=source).prefetch_related(
        "tiers", "stage_amounts", "daily_rates", "categories"
    )
    return [_create(target, policy_as_data(policy)) for policy in policies]


def _source_year(start_year: int) -> SchoolYear | None:
    """Where a new year's policies come from: the latest earlier year with policies, else the latest other."""
    with_policies = SchoolYear.objects.filter(policies__isnull=False).distinct()
    return (
        with_policies.filter(start_year__lt=start_year).order_by("-start_year").first()
        or with_policies.exclude(start_year=start_year).order_by("-start_year").first()
    )


def _source_label(source: SchoolYear | None) -> str:
    return f"复制自{source.name}学年" if source is not None else "种子标准"


@transaction.atomic
def policies_open_year(*, school_year: SchoolYear) -> tuple[list[Policy], str]:
    """Give a new school year its policies: the latest earlier year's, else the seed's.

    Returns the policies created (none if the year already had some) and where they came from.
    """
    if Policy.objects.filter(school_year=school_year).exists():
        return [], "已有"
    source = _source_year(school_year.start_year)
    if source is not None:
        return policies_copy(source=source, target=school_year), _source_label(source)
    return policies_seed_load(school_year=school_year), _source_label(None)


# ---------------------------------------------------------------------------
# Opening a school year (the open_year command and the county administrator's page)


@dataclass(frozen=True)
class PolicyPreview:
    """One policy a new year will get, as the preview lists it."""

    name: str
    code: str
    amounts: list[str]


@dataclass(frozen=True)
class YearOpeningPlan:
    """What opening school year `name` will copy, and from where (`source` None: the seed standards)."""

    name: str
    source: SchoolYear | None
    policies: list[PolicyPreview]

    @property
    def source_label(self) -> str:
        return _source_label(self.source)


@dataclass(frozen=True)
class YearOpened:
    school_year: SchoolYear
    created: bool  # the school year itself was new
    policies: list[Policy]  # none when the year already had its policies
    source_label: str


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}" if value is not None else ""


def _amounts(data: dict[str, Any]) -> list[str]:
    """A policy's standards in words: tiers, stage amounts, daily rates, else its annual amount."""
    amounts = [f"{row['tier']}档 {_money(_value('annual_amount', row['annual_amount']))} 元/年" for row in data["tiers"]]
    amounts += [
        f"{STAGE_LABELS.get(row['stage'], row['stage'])} {_money(_value('annual_amount', row['annual_amount']))} 元/年"
        for row in data["stage_amounts"]
    ]
    amounts += [
        f"{CATEGORY_LABELS.get(row['category'], row['category'])} {_money(_value('rate', row['rate']))} 元/天"
        for row in data["daily_rates"]
    ]
    if not amounts and data.get("annual_amount") is not None:
        amounts.append(f"{_money(_value('annual_amount', data['annual_amount']))} 元/年")
    if not amounts:
        amounts.append(KIND_LABELS.get(data.get("kind", ""), ""))
    return amounts


def year_opening_plan(*, name: str) -> YearOpeningPlan:
    """The preview of opening school year `name`; refused (ValidationError) if it has its policies."""
    try:
        name = parse_school_year(name)
    except SchoolYearError as exc:
        raise ValidationError(str(exc)) from exc
    existing = Policy.objects.filter(school_year__name=name).count()
    if existing:
        raise ValidationError(f"{name}学年已有资助项目 {existing} 项，无需再开设；如需修改请在“资助政策”中编辑。")
    source = _source_year(int(name[:4]))
    if source is not None:
        policies = Policy.objects.filter(school_year=source).prefetch_related(
            "tiers", "stage_amounts", "daily_rates", "categories"
        ).order_by("order", "code")
        rows = [policy_as_data(policy) for policy in policies]
    else:
        rows = [{**data, **{key: data.get(key, []) for key, _m, _f in _INLINES}} for data in seed_standards()]
    if not rows:
        raise ValidationError("没有可复制的上一学年资助项目，也没有种子标准，请先在“资助政策”中逐项录入。")
    previews = [PolicyPreview(name=row["name"], code=row["code"], amounts=_amounts(row)) for row in rows]
    return YearOpeningPlan(name=name, source=source, policies=previews)


@transaction.atomic
def year_open(*, name: str, actor: Actor) -> YearOpened:
    """开设学年: the school year, its autumn and spring terms, and its policies (copied, or the seed's).

    Only the county administrator (or a command's system actor). Opening a year
    that has its policies creates nothing (`policies` is empty).
    """
    require(actor, "subsidies.add_policy", township=None, write=True, denied="只有县资助中心管理员可以开设学年。")
    school_year, created = school_year_open(name=name)
    policies, source = policies_open_year(school_year=school_year)
    return YearOpened(school_year=school_year, created=created, policies=policies, source_label=source)
