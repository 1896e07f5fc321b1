"""Giving a school year its policies: a copy of the latest year's, or the shipped seed standards."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from students.models import SchoolYear
from subsidies.models import (
    Policy,
    PolicyCategory,
    PolicyDailyRate,
    PolicyStageAmount,
    PolicyTier,
)

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
)
_DECIMAL_FIELDS = {"annual_amount", "average_standard", "quota_ratio", "floor_ratio", "rate", "days_per_year"}
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


@transaction.atomic
def policies_open_year(*, school_year: SchoolYear) -> tuple[list[Policy], str]:
    """Give a new school year its policies: the latest earlier year's, else the seed's.

    Returns the policies created (none if the year already had some) and where they came from.
    """
    if Policy.objects.filter(school_year=school_year).exists():
        return [], "已有"
    source = (
        SchoolYear.objects.filter(policies__isnull=False, start_year__lt=school_year.start_year)
        .order_by("-start_year")
        .first()
    ) or (
        SchoolYear.objects.filter(policies__isnull=False).exclude(pk=school_year.pk).order_by("-start_year").first()
    )
    if source is not None:
        return policies_copy(source=source, target=school_year), f"复制自{source.name}学年"
    return policies_seed_load(school_year=school_year), "种子标准"
