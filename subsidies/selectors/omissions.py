"""应助尽助: students who qualify for a policy this term and are not aided, with why.

Two sources, both set-based (a constant number of queries per policy, whatever
the county's size):

- every 在读 student of a registered household (a hardship category the policy
  counts, `population.household_fact_annotations`) who qualifies under the
  policy's rules (`rules.facts.categories_of` against the policy's qualifying
  categories) and has no awarded entitlement: 尚未测算 (no row), 名额已满
  (符合条件未安排), 人工排除 with the staff's reason, or a proposal that
  cannot be paid for want of a payment account;
- every approved entitlement never paid: no live ledger entry, or a failed
  bank result not paid again (a reversal that ended the aid is not an omission).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from aidsite.access import scope_queryset
from students.models import Enrollment, Term, Township
from subsidies.models import (
    Entitlement,
    EntitlementOverride,
    EntitlementStatus,
    LedgerEntry,
    OverrideAction,
    PaymentAccount,
    PaymentMethod,
    PaymentStatus,
    Policy,
    Reversal,
)
from subsidies.rules.facts import FACT_FIELDS, HOUSEHOLD_FACT_KEYS, categories_of
from subsidies.rules.policy import PolicySpec
from subsidies.selectors.population import (
    household_fact_annotations,
    policies_for_term,
    population_queryset,
)

if TYPE_CHECKING:
    from aidsite.access import Actor


class UnaidedReason:
    """The reasons a qualifying student is not aided, as the report and the page word them."""

    NOT_COMPUTED = "尚未测算"
    QUOTA_FULL = "名额已满"
    EXCLUDED = "人工排除"
    NO_ACCOUNT = "未登记发放账号"
    NOT_PAID = "已审核未发放"
    FAILED_NOT_REPAID = "发放失败未重新发放"


@dataclass(frozen=True)
class Unaided:
    """One student not aided under one policy this term (应助未助), with the reason."""

    student_id: int
    name: str
    id_number: str
    township: str
    school: str
    policy_name: str
    policy_order: int
    reason: str  # one of UnaidedReason, 人工排除 followed by the staff's reason

    @property
    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.township, self.school, self.policy_order, self.policy_name, self.id_number)


def unaided_students(
    *, actor: Actor, term: Term, township: Township | None = None
) -> list[Unaided]:
    """Every 应助未助 case of the term in the actor's scope (and `township`), by township, school, policy.

    Queries: 5 for the policies, 1 for the payment accounts, then 4 per policy.
    """
    policies = policies_for_term(term)
    usable = _students_with_account(term)
    found: list[Unaided] = []
    for policy in policies:
        found.extend(_qualifying_not_awarded(actor, policy, term, township, usable))
        found.extend(_approved_not_paid(actor, policy, term, township, usable))
    found.sort(key=lambda u: u.sort_key)
    return found


def unaided_count(actor: Actor, term: Term) -> int:
    """How many 应助未助 cases the actor's scope holds this term (for the 工作台)."""
    return len(unaided_students(actor=actor, term=term))


def unaided_by_school(rows: Iterable[Unaided]) -> list[dict[str, Any]]:
    """The cases grouped per township and school (rows come sorted), each group with its count."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or (groups[-1]["township"], groups[-1]["school"]) != (
            row.township,
            row.school,
        ):
            groups.append({"township": row.township, "school": row.school, "rows": []})
        groups[-1]["rows"].append(row)
    return groups


# ---------------------------------------------------------------------------


def _students_with_account(term: Term) -> set[int]:
    """Students of the term's year whose recorded account lets them be paid (one query).

    一卡通 needs an account number; 抵扣费用 and 现金 need none. A student with no
    account at all is paid by 一卡通 by default (`batch_prepare`), so needs one.
    """
    enrolled = Enrollment.objects.filter(school_year_id=term.school_year_id).values("student_id")
    accounts = PaymentAccount.objects.filter(student_id__in=enrolled).filter(
        ~Q(method=PaymentMethod.BANK_CARD) | ~Q(account_number="")
    )
    return set(accounts.values_list("student_id", flat=True))


def _qualifying_rows(
    actor: Actor, policy: Policy, term: Term, township: Township | None
) -> QuerySet[Enrollment]:
    """The population's enrollments of students from a registered household, with their facts."""
    annotations = household_fact_annotations(policy, term)
    registered = Q()
    for key in HOUSEHOLD_FACT_KEYS.values():
        registered |= Q(**{key: True})
    queryset = (
        population_queryset(policy, term=term, township=township)
        .annotate(**annotations)
        .filter(registered)
    )
    return (
        scope_queryset(actor, queryset)
        .values(
            *FACT_FIELDS,
            *annotations,
            township_name=F("school__township__name"),
            school_name=F("school__name"),
        )
        .order_by("id")
    )


def _qualifying_not_awarded(
    actor: Actor, policy: Policy, term: Term, township: Township | None, usable: set[int]
) -> Iterable[Unaided]:
    """Qualifying students of registered households with no awarded entitlement (3 queries)."""
    spec = PolicySpec.from_policy(policy)
    qualifying = spec.qualifying_categories
    statuses = dict(
        Entitlement.objects.filter(term=term, policy=policy).values_list("student_id", "status")
    )
    exclusions = dict(
        EntitlementOverride.objects.filter(
            term=term, policy=policy, action=OverrideAction.EXCLUDE
        ).values_list("student_id", "reason")
    )
    seen: set[int] = set()
    for row in _qualifying_rows(actor, policy, term, township):
        student_id = row["student_id"]
        if student_id in seen or not (categories_of(row) & qualifying):
            continue
        seen.add(student_id)
        reason = _reason(statuses.get(student_id), exclusions.get(student_id), student_id in usable)
        if reason is not None:
            yield _case(row, policy, reason)


def _reason(status: str | None, exclusion: str | None, has_account: bool) -> str | None:
    """Why a qualifying student is not aided; None when they are (or the approved-not-paid read says)."""
    if status is None:
        return UnaidedReason.NOT_COMPUTED
    if status == EntitlementStatus.NOT_AWARDED:
        return UnaidedReason.QUOTA_FULL
    if status == EntitlementStatus.EXCLUDED:
        return f"{UnaidedReason.EXCLUDED}：{exclusion}" if exclusion else UnaidedReason.EXCLUDED
    if status == EntitlementStatus.PROPOSED and not has_account:
        return UnaidedReason.NO_ACCOUNT
    return None


def _approved_not_paid(
    actor: Actor, policy: Policy, term: Term, township: Township | None, usable: set[int]
) -> Iterable[Unaided]:
    """Approved entitlements with no live payment and not ended by a reversal (1 query).

    The same selection as `batchable_entitlements`: a failed payment or a
    reversal with 需重新发放 leaves the entitlement to pay again.
    """
    live = LedgerEntry.objects.filter(term=term, policy=policy, is_live=True).values(
        "entitlement_id"
    )
    ended = Reversal.objects.filter(entry__term=term, entry__policy=policy, reissue=False).values(
        "entry__entitlement_id"
    )
    failed = LedgerEntry.objects.filter(
        entitlement_id=OuterRef("pk"), payment_status=PaymentStatus.FAILED
    )
    queryset = (
        Entitlement.objects.filter(
            term=term, policy=policy, status=EntitlementStatus.APPROVED, amount__gt=0
        )
        .exclude(pk__in=live)
        .exclude(pk__in=ended)
    )
    if township is not None:
        queryset = queryset.filter(enrollment__school__township=township)
    rows = (
        scope_queryset(actor, queryset)
        .annotate(failed=Exists(failed))
        .values(
            "student_id",
            "student__name",
            "student__id_number",
            "failed",
            township_name=F("enrollment__school__township__name"),
            school_name=F("enrollment__school__name"),
        )
        .order_by("pk")
    )
    for row in rows:
        if row["student_id"] not in usable:
            reason = UnaidedReason.NO_ACCOUNT
        elif row["failed"]:
            reason = UnaidedReason.FAILED_NOT_REPAID
        else:
            reason = UnaidedReason.NOT_PAID
        yield _case(row, policy, reason)


def _case(row: dict[str, Any], policy: Policy, reason: str) -> Unaided:
    return Unaided(
        student_id=row["student_id"],
        name=row["student__name"],
        id_number=row["student__id_number"],
        township=row["township_name"],
        school=row["school_name"],
        policy_name=policy.name,
        policy_order=policy.order,
        reason=reason,
    )
