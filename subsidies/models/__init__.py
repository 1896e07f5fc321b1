"""The subsidies app's models, one module per area, all importable from `subsidies.models`.

`policies` (aid policies as data, per school year), `entitlements` (each term's
list, its overrides and approvals), `payments` (how and where aid is paid), `ledgers`
(disbursement batches, entries, reversals, bank results, the ledger log) and
`notices` (公示). `frozen` derives the columns an approval freezes.
"""

from subsidies.models.entitlements import (
    AWARDED_STATUSES,
    ENTITLEMENT_FROZEN_COLUMNS,
    ENTITLEMENT_MUTABLE_FIELDS,
    LOCKED_STATUSES,
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    ReasonsJSONEncoder,
    entitlement_frozen_change_sql,
)
from subsidies.models.ledgers import (
    ENTRY_FROZEN_COLUMNS,
    ENTRY_MUTABLE_FIELDS,
    BankOutcome,
    BankResult,
    BatchStatus,
    DisbursementBatch,
    DisbursementBatchQuerySet,
    LedgerAction,
    LedgerEntry,
    LedgerEntryQuerySet,
    LedgerLocked,
    LedgerLog,
    LedgerLogQuerySet,
    PaymentStatus,
    Reversal,
    payment_status_label,
)
from subsidies.models.notices import PublicNotice
from subsidies.models.payments import PaymentAccount, PaymentMethod
from subsidies.models.policies import (
    MONEY,
    RATIO_VALIDATORS,
    Category,
    CountBase,
    OwnershipRequirement,
    Policy,
    PolicyCategory,
    PolicyDailyRate,
    PolicyKind,
    PolicyLevel,
    PolicyStageAmount,
    PolicyTier,
)
from subsidies.models.quotas import QuotaAllocation

__all__ = [
    "AWARDED_STATUSES",
    "ENTITLEMENT_FROZEN_COLUMNS",
    "ENTITLEMENT_MUTABLE_FIELDS",
    "ENTRY_FROZEN_COLUMNS",
    "ENTRY_MUTABLE_FIELDS",
    "LOCKED_STATUSES",
    "MONEY",
    "RATIO_VALIDATORS",
    "BankOutcome",
    "BankResult",
    "BatchStatus",
    "Category",
    "CountBase",
    "DisbursementBatch",
    "DisbursementBatchQuerySet",
    "Entitlement",
    "EntitlementApproval",
    "EntitlementOverride",
    "EntitlementStatus",
    "LedgerAction",
    "LedgerEntry",
    "LedgerEntryQuerySet",
    "LedgerLocked",
    "LedgerLog",
    "LedgerLogQuerySet",
    "OverrideAction",
    "OwnershipRequirement",
    "PaymentAccount",
    "PaymentMethod",
    "PaymentStatus",
    "payment_status_label",
    "Policy",
    "PolicyCategory",
    "PolicyDailyRate",
    "PolicyKind",
    "PolicyLevel",
    "PolicyStageAmount",
    "PolicyTier",
    "PublicNotice",
    "QuotaAllocation",
    "ReasonsJSONEncoder",
    "Reversal",
    "entitlement_frozen_change_sql",
]
