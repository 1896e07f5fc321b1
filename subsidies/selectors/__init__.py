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
    funds_by_household,
    funds_by_village,
    household_entries,
    ledger_conflicts,
)
from subsidies.selectors.notices import (
    NOTICE_STATUSES,
    notice_entitlements,
    notices_with_counts,
)
from subsidies.selectors.omissions import Unaided, UnaidedReason, unaided_count, unaided_students
from subsidies.selectors.population import (
    category_filter,
    policies_for_term,
    population_facts,
    population_queryset,
    quota_allocations,
)

__all__ = [
    "ConflictRow",
    "LedgerFilter",
    "NOTICE_STATUSES",
    "QuotaTotal",
    "SummaryRow",
    "batches_with_reconciliation",
    "category_filter",
    "entitlement_list",
    "funds_by_household",
    "funds_by_village",
    "household_entries",
    "ledger_conflicts",
    "notice_entitlements",
    "notices_with_counts",
    "policies_for_term",
    "population_facts",
    "population_queryset",
    "quota_totals",
    "quota_allocations",
    "summary_totals",
    "term_summary",
    "Unaided",
    "UnaidedReason",
    "unaided_count",
    "unaided_students",
]
