"""Disbursement ledgers (发放台账): approved entitlements paid out in batches.

An approved batch and its entries never change again (SECURITY C2, C3), in the
ORM and in PostgreSQL triggers alike: corrections are Reversal rows, bank
outcomes are BankResult rows, and every step is written to the LedgerLog.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text
from subsidies.models.entitlements import Entitlement
from subsidies.models.frozen import LazyCondition, changed_sql, frozen_columns
from subsidies.models.payments import PaymentMethod
from subsidies.models.policies import MONEY, Policy


class BatchKind(models.TextChoices):
    """Government aid paid from entitlements, or social aid (社会资助) received from donors or paid to students."""

    GOVERNMENT = "government", _("政府资助")
    DONATION_RECEIVED = "donation_in", _("社会资助收款")
    DONATION_PAID = "donation_out", _("社会资助发放")


SOCIAL_KINDS = (BatchKind.DONATION_RECEIVED, BatchKind.DONATION_PAID)


class BatchStatus(models.TextChoices):
    PREPARED = "prepared", _("待审核")
    APPROVED = "approved", _("已审核")


class LedgerLocked(PermissionError):
    """An attempt to change or delete an approved batch or entry."""


class DisbursementBatchQuerySet(models.QuerySet):
    """Refuses bulk changes that would touch an approved batch (the ORM side of SECURITY C2)."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        if self.filter(status=BatchStatus.APPROVED).exists():
            raise LedgerLocked("已审核的发放批次不能修改。")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[no-untyped-def]
        if self.filter(status=BatchStatus.APPROVED).exists():
            raise LedgerLocked("已审核的发放批次不能删除。")
        return super().delete()


class DisbursementBatch(models.Model):
    """发放批次: one township's entries of one policy and term, prepared by one person, approved by another.

    A 社会资助 batch (`kind` other than government) has no policy: its entries
    name a pairing instead (see `LedgerEntry`), under the same four-eyes
    approval, freezing and reversals.
    """

    kind = models.CharField(
        _("资金类别"), max_length=12, choices=BatchKind.choices, default=BatchKind.GOVERNMENT
    )
    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="batches", verbose_name=_("资助项目")
    )
    term = models.ForeignKey(
        "students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期")
    )
    sequence = models.PositiveSmallIntegerField(_("批次"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREPARED
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[validate_free_text])
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人")
    )
    prepared_at = models.DateTimeField(_("编制时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Frozen by the approval (and set at preparation for display).
    entry_count = models.PositiveIntegerField(_("人数"), default=0)
    total_amount = models.DecimalField(_("金额合计（元）"), **MONEY, default=Decimal("0"))

    objects = DisbursementBatchQuerySet.as_manager()
    history = HistoricalRecords()

    scope_township_paths = ("township",)
    scope_school_paths = ("entries__school",)

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-term__school_year__start_year", "term__season", "township__name", "policy__order", "sequence"]
        permissions = [
            ("prepare_disbursementbatch", _("可编制发放批次")),
            ("approve_disbursementbatch", _("可审核发放批次")),
            ("export_disbursementbatch", _("可导出发放台账")),
            ("import_bankresult", _("可导入银行回盘")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "policy", "term", "sequence"],
                name="batch_unique_sequence",
                violation_error_message=_("该乡镇本学期此项目已有同一批次号。"),
            ),
            models.UniqueConstraint(
                fields=["township", "kind", "term", "sequence"],
                condition=models.Q(policy__isnull=True),
                name="social_batch_unique_sequence",
                violation_error_message=_("该乡镇本学期已有同一批次号的社会资助批次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="government", policy__isnull=False)
                | (~models.Q(kind="government") & models.Q(policy__isnull=True)),
                name="batch_policy_only_for_government_aid",
                violation_error_message=_("政府资助批次须有资助项目，社会资助批次不属于资助项目。"),
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("prepared_by")),
                name="batch_four_eyes",
                violation_error_message=_("编制人不能审核自己编制的发放批次。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="batch_approved_has_approver",
                violation_error_message=_("已审核的批次须有审核人和审核时间。"),
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0),
                name="batch_total_not_negative",
                violation_error_message=_("金额合计不能为负数。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="approved_batch_is_immutable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="approved"),
            )
        ]

    def __str__(self) -> str:
        what = self.policy.name if self.policy_id is not None else self.get_kind_display()
        return f"{self.township.name} {self.term} {what} 第{self.sequence}批"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Only the approval itself (prepared -> approved, done by ledgers.batch_approve)
        # may write a batch row that is or becomes approved.
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=BatchStatus.APPROVED).exists():
            raise LedgerLocked("已审核的发放批次不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=BatchStatus.APPROVED).exists():
            raise LedgerLocked("已审核的发放批次不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == BatchStatus.APPROVED

    @property
    def is_social(self) -> bool:
        return self.kind != BatchKind.GOVERNMENT


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("发放成功")
    FAILED = "failed", _("发放失败")


# The words for a payment's outcome by how it is paid: "回盘" is the bank's file, cash is signed for.
_STATUS_WORDS = {
    "cash": {PaymentStatus.PENDING: "待签领", PaymentStatus.PAID: "已签领", PaymentStatus.FAILED: "未签领"},
    "fee_offset": {PaymentStatus.PENDING: "待抵扣", PaymentStatus.PAID: "已抵扣", PaymentStatus.FAILED: "未抵扣"},
}


def payment_status_label(method: str, status: str) -> str:
    """A payment's outcome in the words of its method (cash: 待签领/已签领; 一卡通: 待回盘/发放成功)."""
    words = _STATUS_WORDS.get(method)
    if words is not None and status in words:
        return words[status]
    return str(dict(PaymentStatus.choices).get(status, status))


# What the bank's outcome and a reversal may still change on a locked entry; every
# other column is frozen by the approval, in the ORM guard and in the trigger alike.
ENTRY_MUTABLE_FIELDS = frozenset({"payment_status", "is_live"})


class LedgerEntryQuerySet(models.QuerySet):
    """Refuses bulk changes to locked entries except the bank outcome and liveness."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        if set(kwargs) - ENTRY_MUTABLE_FIELDS and self.filter(locked=True).exists():
            raise LedgerLocked("已审核的发放记录不能修改，如有差错请冲销后重新发放。")
        if kwargs.get("is_live") is True and self.filter(locked=True, is_live=False).exists():
            raise LedgerLocked("已冲销或发放失败的记录不能恢复，请在新批次中重新发放。")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[no-untyped-def]
        if self.filter(locked=True).exists():
            raise LedgerLocked("已审核的发放记录不能删除，如有差错请冲销。")
        return super().delete()

    def live(self) -> LedgerEntryQuerySet:
        return self.filter(is_live=True)

    def government(self) -> LedgerEntryQuerySet:
        return self.filter(pairing__isnull=True)

    def donations_paid(self) -> LedgerEntryQuerySet:
        """社会资助 paid to students (an entry naming a pairing and no donor)."""
        return self.filter(pairing__isnull=False, donor__isnull=True)

    def donations_received(self) -> LedgerEntryQuerySet:
        """社会资助 received from donors (an entry naming its donor), for one paired student each."""
        return self.filter(donor__isnull=False)


def _entry_frozen_change_sql() -> str:
    changed = changed_sql(ENTRY_FROZEN_COLUMNS)
    # A reversed or failed entry never comes back to life.
    return f'OLD."locked" AND ({changed} OR (NEW."is_live" AND NOT OLD."is_live"))'


class LedgerEntry(models.Model):
    """One payment of one student's entitlement in one batch (发放记录).

    At most one live entry per student, policy and term (SECURITY C1): an entry
    stops being live when it is reversed or the bank reports it failed, and a
    later batch may then pay the entitlement again.

    A 社会资助 entry names a pairing instead of an entitlement and policy: paid
    out to the student (no donor), or received from the donor it names for
    that student (one live entry per pairing, donor, student and term).
    """

    batch = models.ForeignKey(
        DisbursementBatch, on_delete=models.PROTECT, related_name="entries", verbose_name=_("发放批次")
    )
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
        verbose_name=_("资助名单"),
    )
    pairing = models.ForeignKey(
        "subsidies.Pairing", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
        verbose_name=_("结对资助"),
    )
    donor = models.ForeignKey(
        "subsidies.Donor", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
        verbose_name=_("资助方"),
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("学生")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("资助项目")
    )
    term = models.ForeignKey("students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期"))
    school = models.ForeignKey(
        "students.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    amount = models.DecimalField(_("发放金额（元）"), **MONEY)
    method = models.CharField(_("发放方式"), max_length=12, choices=PaymentMethod.choices)
    account_number = models.CharField(_("收款账号"), max_length=32, blank=True)
    holder_name = models.CharField(_("户名"), max_length=30, blank=True)
    locked = models.BooleanField(_("已审核锁定"), default=False)
    is_live = models.BooleanField(_("有效"), default=True)
    payment_status = models.CharField(
        _("发放结果"), max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()
    history = HistoricalRecords()

    scope_township_paths = ("batch__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        ordering = ["batch", "school__name", "student__name", "pk"]
        permissions = [("reverse_ledgerentry", _("可冲销发放记录"))]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "policy", "term"],
                condition=models.Q(is_live=True),
                name="entry_one_live_payment_per_student_policy_term",
                violation_error_message=_("该学生本学期此项目已有有效的发放记录，不能重复发放。"),
            ),
            models.UniqueConstraint(
                fields=["pairing", "student", "term"],
                condition=models.Q(is_live=True, pairing__isnull=False, donor__isnull=True),
                name="entry_one_live_donation_paid_per_pairing_student_term",
                violation_error_message=_("该学生本学期此结对已有有效的发放记录，不能重复发放。"),
            ),
            models.UniqueConstraint(
                fields=["pairing", "donor", "student", "term"],
                condition=models.Q(is_live=True, donor__isnull=False),
                name="entry_one_live_donation_received_per_donor_student_term",
                violation_error_message=_("该资助方本学期对此学生的捐款已入账，不能重复登记。"),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    entitlement__isnull=False, policy__isnull=False, pairing__isnull=True, donor__isnull=True
                )
                | models.Q(entitlement__isnull=True, policy__isnull=True, pairing__isnull=False),
                name="entry_government_or_social",
                violation_error_message=_("发放记录须属于资助名单（政府资助）或结对资助（社会资助）之一。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="entry_amount_positive",
                violation_error_message=_("发放金额应大于 0。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(method="bank_card") | ~models.Q(account_number=""),
                name="entry_bank_card_has_account",
                violation_error_message=_("一卡通发放须有收款账号。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(payment_status="failed") | models.Q(is_live=False),
                name="entry_failed_is_not_live",
                violation_error_message=_("发放失败的记录不再有效。"),
            ),
            models.CheckConstraint(
                condition=models.Q(payment_status="pending") | models.Q(locked=True),
                name="entry_result_only_when_approved",
                violation_error_message=_("批次审核后才能登记发放结果。"),
            ),
        ]
        indexes = [models.Index(fields=["term", "policy", "student"])]
        triggers = [
            pgtrigger.Protect(
                name="locked_entry_frozen",
                operation=pgtrigger.Update,
                condition=LazyCondition(_entry_frozen_change_sql),
            ),
            pgtrigger.Protect(
                name="locked_entry_not_deleted",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__locked=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.amount}元"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        update_fields = kwargs.get("update_fields")
        only_mutable = update_fields is not None and set(update_fields) <= ENTRY_MUTABLE_FIELDS
        if self.pk is not None and not only_mutable and type(self).objects.filter(pk=self.pk, locked=True).exists():
            raise LedgerLocked("已审核的发放记录不能修改，如有差错请冲销后重新发放。")
        if (
            self.pk is not None
            and self.is_live
            and type(self).objects.filter(pk=self.pk, locked=True, is_live=False).exists()
        ):
            raise LedgerLocked("已冲销或发放失败的记录不能恢复，请在新批次中重新发放。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and type(self).objects.filter(pk=self.pk, locked=True).exists():
            raise LedgerLocked("已审核的发放记录不能删除，如有差错请冲销。")
        return super().delete(*args, **kwargs)

    @property
    def payment_status_label(self) -> str:
        """The outcome in the words of the method (cash is signed for, never "回盘")."""
        return payment_status_label(self.method, self.payment_status)


ENTRY_FROZEN_COLUMNS = frozen_columns(LedgerEntry, mutable=ENTRY_MUTABLE_FIELDS)


class Reversal(models.Model):
    """冲销: an approved entry declared void, once, with a reason; `reissue` lets a later batch pay again."""

    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("发放记录"),
        error_messages={"unique": _("该记录已冲销，每条记录只能冲销一次。")},
    )
    amount = models.DecimalField(_("冲销金额（元）"), **MONEY)
    reason = models.CharField(_("冲销原因"), max_length=200, validators=[validate_free_text])
    reissue = models.BooleanField(_("需重新发放"), default=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("冲销人")
    )
    reversed_at = models.DateTimeField(_("冲销时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_township_paths = ("entry__batch__township",)
    scope_school_paths = ("entry__school",)

    class Meta:
        verbose_name = _("冲销记录")
        verbose_name_plural = _("冲销记录")
        ordering = ["-reversed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="reversal_has_reason",
                violation_error_message=_("冲销须写明原因。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="reversal_amount_positive",
                violation_error_message=_("冲销金额应大于 0。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="reversal_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"冲销 {self.entry}"


class BankOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILED = "failed", _("失败")


class BankResult(models.Model):
    """The bank's return (回盘) for one entry, from an imported workbook."""

    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="bank_result", verbose_name=_("发放记录")
    )
    outcome = models.CharField(_("结果"), max_length=8, choices=BankOutcome.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    reason = models.CharField(_("原因"), max_length=200, blank=True, validators=[validate_free_text])
    file_name = models.CharField(_("回盘文件"), max_length=200, blank=True)
    row_number = models.PositiveIntegerField(_("行号"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_township_paths = ("entry__batch__township",)
    scope_school_paths = ("entry__school",)

    class Meta:
        verbose_name = _("银行回盘结果")
        verbose_name_plural = _("银行回盘结果")
        ordering = ["-imported_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="bank_result_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            )
        ]
        triggers = [
            pgtrigger.Protect(name="bank_result_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.get_outcome_display()}"


class LedgerAction(models.TextChoices):
    PREPARE = "prepare", _("编制批次")
    DISCARD = "discard", _("撤销未审核批次")
    APPROVE = "approve", _("审核批次")
    REVERSE = "reverse", _("冲销")
    BANK_RESULT = "bank_result", _("登记银行回盘")


class LedgerLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("台账操作日志只能追加，不能修改。")

    def delete(self):  # type: ignore[no-untyped-def]
        raise PermissionError("台账操作日志只能追加，不能删除。")


class LedgerLog(models.Model):
    """台账操作日志: who did what to which batch or entry, and when (SECURITY C4)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=12, choices=LedgerAction.choices)
    # Kept as plain ids: a discarded (never approved) batch is deleted, its log rows stay.
    batch_id_ref = models.PositiveBigIntegerField(_("批次编号"), null=True, blank=True, db_index=True)
    entry_id_ref = models.PositiveBigIntegerField(_("记录编号"), null=True, blank=True)
    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    summary = models.CharField(_("摘要"), max_length=200)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = LedgerLogQuerySet.as_manager()

    scope_township_paths = ("township",)
    scope_school_paths = ()

    class Meta:
        verbose_name = _("台账操作日志")
        verbose_name_plural = _("台账操作日志")
        ordering = ["-at", "-pk"]
        triggers = [
            pgtrigger.Protect(name="ledger_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.summary}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise PermissionError("台账操作日志只能追加，不能修改。")
        super().save(*args, **kwargs)
