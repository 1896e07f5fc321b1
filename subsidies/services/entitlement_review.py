"""Reviewing a computed aid list: staff overrides (人工调整) and the approval (资助名单审核).

An override is kept and re-applied by every later computation, so recording or
withdrawing one recomputes its policy at once. Approval freezes the proposed
rows; approved and paid rows take no override.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from simple_history.utils import bulk_update_with_history

from aidsite.access import actor_user, user_scope
from students.models import Enrollment, EnrollmentStatus, Student, Term, Township
from subsidies.models import (
    LOCKED_STATUSES,
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    Policy,
)
from subsidies.services.entitlements import BATCH_SIZE, entitlements_compute, require_aid_township

if TYPE_CHECKING:
    from aidsite.access import Actor


def _student_township(student: Student, term: Term, actor: Actor) -> Township:
    """The township of the student's enrollment this year that the actor works on."""
    enrollments = Enrollment.objects.filter(
        student=student, school_year_id=term.school_year_id, status=EnrollmentStatus.STUDYING
    ).select_related("school__township")
    scope = user_scope(actor)
    for enrollment in enrollments.order_by("pk"):
        if scope.everything or scope.township_id == enrollment.school.township_id:
            return enrollment.school.township
    raise ValidationError("该学生本学年在您的辖区内没有在读学籍。")


@transaction.atomic
def entitlement_override(
    *,
    student: Student,
    policy: Policy,
    term: Term,
    action: str,
    reason: str,
    actor: Actor,
    tier: int | None = None,
) -> EntitlementOverride:
    """Record a staff decision (another tier, an exclusion or an addition) and recompute the policy.

    The override is kept and re-applied by every later computation.
    """
    township = _student_township(student, term, actor)
    require_aid_township(actor, township, "subsidies.add_entitlementoverride")
    if policy.school_year_id != term.school_year_id:
        raise ValidationError("资助项目与学期不属于同一学年。")
    current = Entitlement.objects.filter(student=student, policy=policy, term=term).first()
    if current is not None and current.status in LOCKED_STATUSES:
        raise ValidationError("该生此项资助已审核，不能再调整。")
    if action == OverrideAction.EXCLUDE:
        tier = None
    if tier is not None and not policy.tiers.filter(tier=tier).exists():
        raise ValidationError({"tier": f"“{policy.name}”没有 {tier} 档。"})
    override = EntitlementOverride.objects.filter(student=student, policy=policy, term=term).first()
    override = override or EntitlementOverride(student=student, policy=policy, term=term)
    override.action = action
    override.tier = tier
    override.reason = (reason or "").strip()
    override.created_by = actor_user(actor)
    override.full_clean()
    override.save()
    entitlements_compute(term=term, township=township, policy_code=policy.code, actor=actor)
    return override


@transaction.atomic
def entitlement_override_remove(*, override: EntitlementOverride, actor: Actor) -> None:
    """Withdraw a staff decision; the policy is recomputed without it."""
    township = _student_township(override.student, override.term, actor)
    require_aid_township(actor, township, "subsidies.delete_entitlementoverride")
    term, code = override.term, override.policy.code
    override.delete()
    entitlements_compute(term=term, township=township, policy_code=code, actor=actor)


@transaction.atomic
def entitlements_approve(
    *, term: Term, township: Township, actor: Actor, policy_code: str | None = None
) -> EntitlementApproval:
    """资助名单审核: freeze the township's proposed entitlements for the term (one policy or all)."""
    require_aid_township(actor, township, "subsidies.approve_entitlement")
    queryset = Entitlement.objects.filter(
        term=term, enrollment__school__township=township, status=EntitlementStatus.PROPOSED
    )
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if connection.features.has_select_for_update_of:
        queryset = queryset.select_for_update(of=("self",))
    rows = list(queryset.select_related("policy"))
    if not rows:
        raise ValidationError("没有待审核的拟资助名单。")
    codes = sorted({row.policy.code for row in rows})
    approver = actor_user(actor)
    approval = EntitlementApproval.objects.create(
        term=term,
        township=township,
        policy_codes=",".join(codes),
        approved_by=approver,
        entitlement_count=len(rows),
        total_amount=sum((row.amount for row in rows), Decimal("0")),
    )
    for row in rows:
        row.status = EntitlementStatus.APPROVED
        row.approval = approval
    bulk_update_with_history(
        rows, Entitlement, ["status", "approval"], batch_size=BATCH_SIZE // 4, default_user=approver,
        default_change_reason="资助名单审核",
    )
    return approval
