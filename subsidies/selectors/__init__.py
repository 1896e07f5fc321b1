"""Reads reused by pages, services, exports and reports; nothing here writes.

Every read of a person's data takes the `actor` it reads for and stays in that
actor's scope (`aidsite.access.scope_queryset`); commands pass a system actor.
"""

from subsidies.selectors.aid import (
    SummaryRow,
    entitlement_list,
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
from subsidies.selectors.population import (
    category_filter,
    policies_for_term,
    population_facts,
    population_queryset,
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
    "SummaryRow",
    "TermData",
    "batches_with_reconciliation",
    "category_filter",
    "default_school_year",
    "default_term",
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
    "summary_totals",
    "term_summary",
    "year_has_policies",
    "years_with_policies",
]
