"""Who a policy counts: the term's policies, each one's population and the facts the rules read."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdHardship,
    PovertyStatus,
    Stage,
    Term,
    Township,
)
from subsidies.models import (
    Category,
    Policy,
    QuotaAllocation,
)
from subsidies.rules.allocation import Allocated
from subsidies.rules.facts import FACT_FIELDS, HOUSEHOLD_FACT_KEYS, HOUSEHOLD_FACTS


def policies_for_term(term: Term, policy_code: str | None = None) -> list[Policy]:
    """The computed policies of the term's school year, their inlines prefetched (5 queries)."""
    queryset = Policy.objects.filter(school_year_id=term.school_year_id, by_application=False)
    if policy_code:
        queryset = queryset.filter(code=policy_code)
    return list(
        queryset.prefetch_related("tiers", "stage_amounts", "daily_rates", "categories").order_by(
            "order", "code"
        )
    )


def lifted_counting(policy: Policy, term: Term) -> Q | None:
    """Which lifted (已脱贫) hardships still count in `term`; None when none do.

    None when the policy switches 脱贫不脱政策 off. Otherwise the transition period (过渡期):
    with `transition_years` set, a household whose year left (脱贫年份) is known counts while the
    term starts no later than the end of that year plus the years; without it, or where the
    year left is unknown, it counts while the term starts on or before `transition_end`.
    """
    if not policy.lifted_households_count:
        return None
    within_end_date = term.start_date <= policy.transition_end
    if policy.transition_years is None:
        return Q() if within_end_date else None
    by_year = Q(year_lifted__gte=term.start_date.year - policy.transition_years)
    return (by_year | Q(year_lifted__isnull=True)) if within_end_date else by_year


def counting_hardships(lifted: Q | None) -> Q:
    """The hardship rows that count: in poverty, or lifted (已脱贫) and still counting by `lifted`
    (from `lifted_counting`; None: none, 脱贫不脱政策 switched off)."""
    counting = Q(status=PovertyStatus.IN_POVERTY)
    if lifted is not None:
        counting |= Q(status=PovertyStatus.LIFTED) & lifted
    return counting


def _hardship_exists(category: str, *, lifted: Q | None) -> Exists:
    """`lifted`: which 已脱贫 hardships still count (None: none, 脱贫不脱政策 switched off)."""
    hardships = HouseholdHardship.objects.filter(
        household_id=OuterRef("student__household_id"), category=category
    )
    return Exists(hardships.filter(counting_hardships(lifted)))


def population_queryset(
    source: Policy, *, term: Term, township: Township | None = None
) -> QuerySet[Enrollment]:
    """The policy's population: enrollments 在读 in the term's year meeting its conditions."""
    queryset = Enrollment.objects.filter(
        school_year_id=term.school_year_id,
        status=EnrollmentStatus.STUDYING,
        stage__in=source.stage_list,
    )
    if township is not None:
        queryset = queryset.filter(school__township=township)
    if source.school_rural_only:
        queryset = queryset.filter(school__is_rural=True)
    if source.school_inclusive_only:
        queryset = queryset.filter(school__is_inclusive=True, school__is_county_approved=True)
    if source.school_ownership:
        queryset = queryset.filter(school__ownership=source.school_ownership)
    if source.boarders_only:
        queryset = queryset.filter(is_boarding=True)
    if source.study_year_list:
        queryset = queryset.filter(study_year__in=source.study_year_list)
    return queryset


def household_fact_annotations(policy: Policy, term: Term) -> dict[str, Exists]:
    """The household's hardship facts (`hh_<category>`) as annotations, counted as `policy` counts them."""
    lifted = lifted_counting(policy, term)
    return {
        HOUSEHOLD_FACT_KEYS[category]: _hardship_exists(household_category, lifted=lifted)
        for category, household_category in HOUSEHOLD_FACTS.items()
    }


def population_facts(policy: Policy, *, term: Term, township: Township | None = None) -> list[dict[str, Any]]:
    """One query: every enrollment of the population with the facts the rules read."""
    annotations = household_fact_annotations(policy, term)
    return list(
        population_queryset(policy, term=term, township=township)
        .annotate(**annotations)
        .values(*FACT_FIELDS, *annotations)
        .order_by("id")
    )


def category_filter(category: str, *, lifted: Q | None) -> Q:
    """The enrollments of one category, as a filter (for counts in summaries).

    `lifted`: which 已脱贫 hardships still count, from `lifted_counting(policy, term)`.
    """
    if category in HOUSEHOLD_FACTS:
        return Q(_hardship_exists(HOUSEHOLD_FACTS[category], lifted=lifted))
    if category == Category.HARDSHIP:
        q = Q(student__is_orphan=True)
        for household_category in HOUSEHOLD_FACTS.values():
            q |= Q(_hardship_exists(household_category, lifted=lifted))
        return q
    simple = {
        Category.ALL: Q(pk__isnull=False),
        Category.ORPHAN: Q(student__is_orphan=True),
        Category.MARTYR_CHILD: Q(student__is_martyr_child=True),
        Category.DISABLED: Q(student__is_disabled=True),
        Category.SPECIAL_ED: Q(stage=Stage.SPECIAL),
        Category.AGRI_MAJOR: Q(is_agri_major=True),
    }
    return simple[category]


def quota_allocations(term: Term, policies: list[Policy]) -> dict[int, dict[int, Allocated]]:
    """The county's allocated places (名额分配) per policy and school for the term, in one query."""
    allocations: dict[int, dict[int, Allocated]] = {policy.pk: {} for policy in policies}
    rows = QuotaAllocation.objects.filter(term=term, policy__in=policies).values_list(
        "policy_id", "school_id", "places", "reason"
    )
    for policy_id, school_id, places, reason in rows:
        allocations[policy_id][school_id] = Allocated(places, reason)
    return allocations
