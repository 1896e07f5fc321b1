"""The student record's aid sections: the student's entitlements and payments (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidsite.access import scope_queryset
from aidsite.templatetags.report_tags import yuan
from students.record import RecordSection
from subsidies.models import AidApplication, Entitlement, LedgerEntry

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Student

ENTITLEMENT_COLUMNS = ("学期", "资助项目", "学校", "档次", "金额（元）", "状态")
APPLICATION_COLUMNS = ("申请日期", "资助项目", "学期", "申请金额（元）", "批准金额（元）", "状态")
PAYMENT_COLUMNS = ("学期", "资助项目", "批次", "发放方式", "金额（元）", "发放结果")


def entitlements_section(actor: Actor, student: Student) -> RecordSection | None:
    """资助记录: every term's entitlements of the student, newest term first, by policy name."""
    if not actor.has_perm("subsidies.view_entitlement"):
        return None
    entitlements = (
        scope_queryset(actor, Entitlement.objects.filter(student=student))
        .select_related("term__school_year", "policy", "enrollment__school")
        .order_by("-term__start_date", "policy__order", "pk")
    )
    rows = [
        (
            str(e.term),
            e.policy.name if e.policy_id is not None else e.batch.get_kind_display(),
            e.enrollment.school.name,
            f"{e.tier}档" if e.tier else "—",
            yuan(e.amount),
            e.get_status_display(),
        )
        for e in entitlements
    ]
    return RecordSection("资助记录", ENTITLEMENT_COLUMNS, rows, empty="尚无资助记录")


def payments_section(actor: Actor, student: Student) -> RecordSection | None:
    """发放记录: the student's ledger entries, newest first, with the batch and the result."""
    if not actor.has_perm("subsidies.view_ledgerentry"):
        return None
    entries = (
        scope_queryset(actor, LedgerEntry.objects.filter(student=student))
        .select_related("term__school_year", "policy", "batch", "reversal")
        .order_by("-term__start_date", "-created_at", "-pk")
    )
    rows = [
        (
            str(e.term),
            e.policy.name,
            f"第{e.batch.sequence}批",
            e.get_method_display(),
            yuan(e.amount),
            "已冲销"
            if getattr(e, "reversal", None) is not None
            else e.get_payment_status_display(),
        )
        for e in entries
    ]
    return RecordSection("发放记录", PAYMENT_COLUMNS, rows, empty="尚无发放记录")


def applications_section(actor: Actor, student: Student) -> RecordSection | None:
    """资助申请: the student's applications, newest first, with the amounts and where they stand."""
    if not actor.has_perm("subsidies.view_aidapplication"):
        return None
    applications = (
        scope_queryset(actor, AidApplication.objects.filter(student=student))
        .select_related("term__school_year", "policy")
        .order_by("-applied_on", "-pk")
    )
    rows = [
        (
            f"{a.applied_on:%Y-%m-%d}",
            a.policy.name,
            f"{a.policy.school_year.name}学年一次性" if a.policy.is_one_off else str(a.term),
            yuan(a.amount_requested),
            yuan(a.amount_approved) if a.amount_approved is not None else "—",
            a.get_status_display() + ("（破格受理）" if a.exception_reason else ""),
        )
        for a in applications
    ]
    return RecordSection("资助申请", APPLICATION_COLUMNS, rows, empty="尚无资助申请")
