"""Reads reused by pages, services, exports and reports; nothing here writes.

Every read of a person's data takes the `actor` it reads for and stays in that
actor's scope (`aidsite.access.scope_queryset`); commands pass a system actor.
"""

from subsidies.selectors.aid import (
    QuotaTotal,
    SummaryRow,
    entitlement_list,
    quota_totals,
    summary_totals,
    term_summary,
)
from subsidies.selectors.ledgers import (
    ConflictRow,
    LedgerFilter,
    batches_with_reconciliation,
    conflicts_title,
    funds_by_household,
    funds_by_village,
    funds_title,
    household_entries,
    ledger_conflicts,
)
from subsidies.selectors.notices import (
    NOTICE_STATUSES,
    notice_entitlements,
    notices_with_counts,
)
from subsidies.selectors.omissions import Unaided, UnaidedReason, unaided_count, unaided_students
from subsidies.selectors.pending import (
    NoticesDue,
    PendingBatches,
    PendingList,
    batches_pending_approval,
    latest_listed_term,
    lists_awaiting_review,
    notices_due,
    schools_below_floor,
)
from subsidies.selectors.population import (
    category_filter,
    policies_for_term,
    population_facts,
    population_queryset,
    quota_allocations,
)
from subsidies.selectors.terms import (
    TermData,
    default_school_year,
    default_term,
    year_has_policies,
    years_with_policies,
)

__all__ = [
    "ConflictRow",
    "LedgerFilter",
    "NOTICE_STATUSES",
    "QuotaTotal",
    "NoticesDue",
    "PendingBatches",
    "PendingList",
    "SummaryRow",
    "batches_pending_approval",
    "batches_with_reconciliation",
    "category_filter",
    "conflicts_title",
    "funds_title",
    "TermData",
    "default_school_year",
    "default_term",
    "entitlement_list",
    "funds_by_household",
    "funds_by_village",
    "household_entries",
    "latest_listed_term",
    "ledger_conflicts",
    "lists_awaiting_review",
    "notice_entitlements",
    "notices_due",
    "notices_with_counts",
    "policies_for_term",
    "population_facts",
    "population_queryset",
    "quota_totals",
    "quota_allocations",
    "schools_below_floor",
    "summary_totals",
    "term_summary",
    "year_has_policies",
    "years_with_policies",
    "Unaided",
    "UnaidedReason",
    "unaided_count",
    "unaided_students",
]
