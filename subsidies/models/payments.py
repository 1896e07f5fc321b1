"""Payments: how aid is paid (一卡通, fee offset, cash) and each student's receiving account (收款账户)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.idcard import mask_account
from aidsite.lib.text import validate_name


class PaymentMethod(models.TextChoices):
    BANK_CARD = "bank_card", _("一卡通")
    FEE_OFFSET = "fee_offset", _("抵扣费用")
    CASH = "cash", _("现金")


class PaymentAccount(models.Model):
    """Where a student's aid is paid: the 一卡通 account (stored in full, shown masked)."""

    student = models.OneToOneField(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="payment_account",
        verbose_name=_("学生"),
    )
    method = models.CharField(
        _("发放方式"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.BANK_CARD
    )
    account_number = models.CharField(
        _("收款账号"),
        max_length=32,
        blank=True,
        validators=[RegexValidator(r"^\d{8,32}$", _("账号应为 8 至 32 位数字。"))],
    )
    bank_name = models.CharField(_("开户银行"), max_length=40, blank=True, validators=[validate_name])
    holder_name = models.CharField(_("户名"), max_length=30, blank=True, validators=[validate_name])
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    scope_township_paths = ("student__household__village__township", "student__enrollments__school__township")
    scope_school_paths = ("student__enrollments__school",)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")
        ordering = ["student__name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="bank_card") | ~models.Q(account_number=""),
                name="payment_account_bank_card_has_number",
                violation_error_message=_("一卡通发放须填写收款账号。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.get_method_display()} {mask_account(self.account_number)}"
