"""The county's funding quotas (资金指标): money allotted per term, policy and township or school.

Only what the county decided is stored here: each allotment is one line of an
allotment document (文号 such as 县财教〔2022〕12号). Several allotments of one
term, policy and place add up (funds are added during the year); an allotment
may carry over (结转) an earlier one's unspent balance. What is committed, paid
and remaining is never stored: `subsidies.selectors.funds` derives it from the
entitlements and the ledger every time.

How places combine: an allotment is to a township (统筹, covering all its
schools) or to one school (专项, earmarked for it); a school's allotment is part
of its township's funds, so a township's allotted total is its own allotments
plus those of its schools.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text
from subsidies.models.policies import MONEY, Policy


class FundAllotment(models.Model):
    """资金指标: one amount the county allots for one term and policy to a township or a school."""

    term = models.ForeignKey(
        "students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("资助项目")
    )
    township = models.ForeignKey(
        "students.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇"),
        help_text=_("下达到乡镇统筹使用时选乡镇；专项下达到学校时留空、选学校。"),
    )
    school = models.ForeignKey(
        "students.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学校"),
        help_text=_("专项下达到某所学校时选学校，计入该校所在乡镇的指标。"),
    )
    amount = models.DecimalField(_("指标金额（元）"), **MONEY)
    document_number = models.CharField(
        _("文号"),
        max_length=50,
        validators=[validate_free_text],
        help_text=_("如：县财教〔2022〕12号"),
    )
    issued_on = models.DateField(_("下达日期"))
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("结转自"),
        help_text=_("由以前学期同一项目、同一乡镇或学校的结余结转而来时，选原指标。"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[validate_free_text])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("录入人"),
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_township_paths = ("township", "school__township")
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("资金指标")
        verbose_name_plural = _("资金指标")
        ordering = [
            "-term__school_year__start_year",
            "term__season",
            "policy__order",
            "issued_on",
            "pk",
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(township__isnull=True, school__isnull=False)
                | models.Q(township__isnull=False, school__isnull=True),
                name="fund_allotment_township_or_school",
                violation_error_message=_("资金指标须下达到一个乡镇或一所学校（二者选一）。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="fund_allotment_amount_positive",
                violation_error_message=_("指标金额应大于 0。"),
            ),
        ]
        indexes = [models.Index(fields=["term", "policy"])]

    def __str__(self) -> str:
        place = (
            self.school.name if self.school_id else self.township.name if self.township_id else ""
        )
        return f"{self.document_number} {place} {self.policy.name} {self.amount}元"

    def clean(self) -> None:
        """One place; the policy of the term's year; a carry-over from an earlier term of the same place and policy."""
        errors: dict[str, str] = {}
        if bool(self.township_id) == bool(self.school_id):
            errors["township"] = _("请选择乡镇或学校（二者选一）。")
        if (
            self.policy_id
            and self.term_id
            and self.policy.school_year_id != self.term.school_year_id
        ):
            errors["policy"] = _("该资助项目不属于所选学期的学年。")
        if (
            self.school_id
            and self.policy_id
            and not set(self.school.stage_list) & set(self.policy.stage_list)
        ):
            errors["school"] = _("该学校的学段不在此资助项目的适用范围内。")
        if not (self.document_number or "").strip():
            errors["document_number"] = _("请填写文号。")
        if self.carried_from_id and not errors:
            problem = self._carry_problem()
            if problem:
                errors["carried_from"] = problem
        if errors:
            raise ValidationError(errors)

    def _carry_problem(self) -> str:
        source = self.carried_from
        if source is None:
            return ""
        if self.pk is not None and source.pk == self.pk:
            return str(_("指标不能结转自身。"))
        if source.policy.code != self.policy.code:
            return str(_("只能结转同一资助项目的指标。"))
        if (source.township_id, source.school_id) != (self.township_id, self.school_id):
            return str(_("只能结转同一乡镇或同一学校的指标。"))
        if source.term.start_date >= self.term.start_date:
            return str(_("只能结转以前学期的指标。"))
        return ""
