"""生源地信用助学贷款: a college student's loan, from the approved application to its contract.

The seed: "学生在校期间实行财政全额贴息，全日制普通本专科学生每人每年贷款额度最高8000元，
全日制研究生…最高12000元…最长贷款期限…20年，还本宽限期…3年". The caps, term, grace
period and rate are data on the policy; a contract copies them when it is signed,
so a later change of policy does not rewrite a signed loan. The repayment plan is
derived from the contract (`subsidies.rules.loans`), never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_name
from subsidies.models.applications import AidApplication
from subsidies.models.policies import MONEY, RATIO_VALIDATORS


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("申请")
    ACCEPTED = "accepted", _("受理")
    SIGNED = "signed", _("签约")
    DISBURSED = "disbursed", _("已放款")
    IN_SCHOOL = "in_school", _("在校")
    GRACE = "grace", _("宽限期")
    REPAYING = "repaying", _("还款中")
    SETTLED = "settled", _("已结清")
    OVERDUE = "overdue", _("逾期")


class StudentLoan(models.Model):
    """One student's 生源地信用助学贷款 for the years of study its application asked for."""

    application = models.OneToOneField(
        AidApplication, on_delete=models.PROTECT, related_name="loan", verbose_name=_("贷款申请")
    )
    status = models.CharField(_("贷款状态"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACCEPTED)
    amount_per_year = models.DecimalField(
        _("每年贷款金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    # The contract (合同), filled in when the bank signs.
    bank = models.CharField(_("经办银行"), max_length=40, blank=True, validators=[validate_name])
    contract_number = models.CharField(_("合同编号"), max_length=40, blank=True, validators=[validate_name])
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("贷款期限（年）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    grace_years = models.PositiveSmallIntegerField(
        _("还本宽限期（年）"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    rate = models.DecimalField(
        _("年利率"), max_digits=6, decimal_places=4, null=True, blank=True, validators=RATIO_VALIDATORS
    )

    history = HistoricalRecords()

    scope_township_paths = ("application__township",)
    scope_school_paths = ("application__enrollment__school",)

    class Meta:
        verbose_name = _("生源地信用助学贷款")
        verbose_name_plural = _("生源地信用助学贷款")
        ordering = ["-application__submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_number"],
                condition=~models.Q(contract_number=""),
                name="loan_contract_number_unique",
                violation_error_message=_("已有贷款使用此合同编号。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_per_year__gte=0),
                name="loan_amount_not_negative",
                violation_error_message=_("贷款金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["applied", "accepted"])
                | (
                    ~models.Q(contract_number="")
                    & ~models.Q(bank="")
                    & models.Q(signed_on__isnull=False, term_years__isnull=False, rate__isnull=False)
                ),
                name="loan_signed_has_contract",
                violation_error_message=_("签约后的贷款须有经办银行、合同编号、签约日期、期限和利率。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.student.name} {self.contract_number or '未签约'}"


class LoanDisbursement(models.Model):
    """已放款: the bank paid one year of study's loan to the college."""

    loan = models.ForeignKey(StudentLoan, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("贷款"))
    year_of_study = models.PositiveSmallIntegerField(
        _("第几学年"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    amount = models.DecimalField(_("放款金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    disbursed_on = models.DateField(_("放款日期"))

    history = HistoricalRecords()

    scope_township_paths = ("loan__application__township",)
    scope_school_paths = ("loan__application__enrollment__school",)

    class Meta:
        verbose_name = _("贷款发放记录")
        verbose_name_plural = _("贷款发放记录")
        ordering = ["loan", "year_of_study"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "year_of_study"],
                name="loan_disbursed_once_per_year",
                violation_error_message=_("该贷款此学年已有放款记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="loan_disbursement_not_negative",
                violation_error_message=_("放款金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} 第{self.year_of_study}学年 {self.amount}元"
