"""Each term's entitlements (资助名单): computed proposals, staff overrides, approvals.

An approved or paid entitlement is frozen in the database as well as in the
services (SECURITY B6, C2): the PostgreSQL trigger below, and on SQLite its copy
installed by `subsidies.apps` after every migration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text
from subsidies.models.frozen import LazyCondition, changed_sql, frozen_columns
from subsidies.models.policies import MONEY, Policy


class EntitlementStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟资助")
    NOT_AWARDED = "not_awarded", _("符合条件未安排")
    EXCLUDED = "excluded", _("人工排除")
    APPROVED = "approved", _("已审核")
    PAID = "paid", _("已发放")


AWARDED_STATUSES = (EntitlementStatus.PROPOSED, EntitlementStatus.APPROVED, EntitlementStatus.PAID)
LOCKED_STATUSES = (EntitlementStatus.APPROVED, EntitlementStatus.PAID)


class EntitlementApproval(models.Model):
    """资助名单审核: who approved which township's list for a term, and what it held."""

    term = models.ForeignKey("students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期"))
    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    policy_codes = models.CharField(_("资助项目"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人")
    )
    approved_at = models.DateTimeField(_("审核时间"), auto_now_add=True)
    entitlement_count = models.PositiveIntegerField(_("人数"), default=0)
    total_amount = models.DecimalField(_("金额合计（元）"), **MONEY, default=Decimal("0"))

    scope_township_paths = ("township",)
    scope_school_paths = ("entitlements__enrollment__school",)

    class Meta:
        verbose_name = _("资助名单审核")
        verbose_name_plural = _("资助名单审核")
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"{self.township} {self.term} {self.policy_names}"

    @property
    def policy_names(self) -> str:
        """The approved policies by name (资助项目), in the order of their codes."""
        names = getattr(self, "_policy_names", None)
        if names is None:
            EntitlementApproval.attach_policy_names([self])
            names = self._policy_names
        return names

    @staticmethod
    def attach_policy_names(approvals: list[EntitlementApproval]) -> None:
        """Name the policies of many approvals with one query (lists show names, not codes)."""
        codes = {code for a in approvals for code in a.policy_codes.split(",") if code}
        years = {a.term.school_year_id for a in approvals}
        names = {
            (year, code): name
            for year, code, name in Policy.objects.filter(
                school_year_id__in=years, code__in=codes
            ).values_list("school_year_id", "code", "name")
        }
        for a in approvals:
            year = a.term.school_year_id
            a._policy_names = "、".join(
                names.get((year, code), code) for code in a.policy_codes.split(",") if code
            )


class ReasonsJSONEncoder(DjangoJSONEncoder):
    """Keeps Chinese reasons as UTF-8 in the database, not as \\uXXXX escapes (half the bytes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


# Once a list is approved only the status may move, and only between approved and
# paid (bank outcome, reversal); every other column is frozen (SECURITY B6, C2).
ENTITLEMENT_MUTABLE_FIELDS = frozenset({"status"})


def entitlement_frozen_change_sql(*, distinct: str = "IS DISTINCT FROM") -> str:
    """The WHEN of the guard on approved entitlements; SQLite spells `IS DISTINCT FROM` as `IS NOT`."""
    locked = "('approved', 'paid')"
    changed = changed_sql(ENTITLEMENT_FROZEN_COLUMNS, distinct=distinct)
    return f'OLD."status" IN {locked} AND (NEW."status" NOT IN {locked} OR {changed})'


class Entitlement(models.Model):
    """One student's aid under one policy for one term, with the reasons for it.

    Computed entitlements are proposals (or qualifying students left out, with
    why); approval freezes them. One row per student, policy and term, whatever
    the number of the student's enrollments (SECURITY C1).
    """

    # student and term need no index of their own: the unique constraint's index
    # starts with student, the (term, policy, status) index with term.
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="entitlements",
        db_index=False,
        verbose_name=_("学生"),
    )
    enrollment = models.ForeignKey(
        "students.Enrollment", on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("学籍")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("资助项目"))
    term = models.ForeignKey(
        "students.Term",
        on_delete=models.PROTECT,
        related_name="entitlements",
        db_index=False,
        verbose_name=_("学期"),
    )
    tier = models.PositiveSmallIntegerField(_("档次"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY, default=Decimal("0"))
    # The policy's standard for this student this term (tier, stage, rate or tuition), stored at
    # computation: a check constraint cannot read the policy's tables, so the bound travels
    # with the row and `amount` can never exceed it, however the row is written (SECURITY B6).
    max_amount = models.DecimalField(_("资助标准上限（元）"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=12, choices=EntitlementStatus.choices, default=EntitlementStatus.PROPOSED
    )
    qualifies = models.BooleanField(_("符合条件"), default=True)
    # The student's categories as `,code,code,` so that `contains=",hardship,"` works on every database.
    categories = models.CharField(_("类别"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先顺序"), null=True, blank=True)
    has_conflict = models.BooleanField(_("多校学籍"), default=False)
    reasons = models.JSONField(_("依据"), default=dict, blank=True, encoder=ReasonsJSONEncoder)
    # A hash of everything the computation decided for this row: recomputation
    # compares digests instead of decoding every row's reasons.
    digest = models.CharField(_("测算摘要"), max_length=32, blank=True, editable=False)
    computed_at = models.DateTimeField(_("测算时间"))
    approval = models.ForeignKey(
        EntitlementApproval,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
        verbose_name=_("审核记录"),
    )

    # A history row is looked up by the entitlement's id, its date or its user, never
    # by these keys: skipping their indexes halves the cost of writing history.
    history = HistoricalRecords(no_db_index=["student", "enrollment", "policy", "term", "approval"])

    scope_township_paths = ("enrollment__school__township",)
    scope_school_paths = ("enrollment__school",)

    class Meta:
        verbose_name = _("资助名单")
        verbose_name_plural = _("资助名单")
        ordering = ["term", "policy__order", "enrollment__school__name", "student__name"]
        permissions = [
            ("export_entitlement", _("可导出资助名单")),
            ("approve_entitlement", _("可审核资助名单")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "policy", "term"],
                name="entitlement_once_per_student_policy_term",
                violation_error_message=_("该学生本学期已有此项资助，同一项目每学期只能资助一次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="entitlement_amount_not_negative",
                violation_error_message=_("资助金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["not_awarded", "excluded"]) | models.Q(amount=0),
                name="entitlement_unawarded_amount_zero",
                violation_error_message=_("未安排或已排除的记录金额应为 0。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "paid"]) | models.Q(approval__isnull=False),
                name="entitlement_approved_has_approval",
                violation_error_message=_("已审核的资助须有审核记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__lte=models.F("max_amount")),
                name="entitlement_amount_within_standard",
                violation_error_message=_("资助金额不能超过该生适用的资助标准。"),
            ),
        ]
        indexes = [models.Index(fields=["term", "policy", "status"])]
        triggers = [
            # Raw SQL too: an approved or paid row keeps every value; only approved <-> paid moves.
            pgtrigger.Protect(
                name="locked_entitlement_frozen",
                operation=pgtrigger.Update,
                condition=LazyCondition(entitlement_frozen_change_sql),
            ),
            pgtrigger.Protect(
                name="locked_entitlement_not_deleted",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status__in=["approved", "paid"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.policy.name} {self.term}"

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons.get("lines", []))

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


ENTITLEMENT_FROZEN_COLUMNS = frozen_columns(Entitlement, mutable=ENTITLEMENT_MUTABLE_FIELDS)


class OverrideAction(models.TextChoices):
    TIER = "tier", _("调整档次")
    EXCLUDE = "exclude", _("排除")
    ADD = "add", _("增补")


class EntitlementOverride(models.Model):
    """A staff decision for one student, policy and term that recomputation keeps."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="aid_overrides", verbose_name=_("学生")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="overrides", verbose_name=_("资助项目"))
    term = models.ForeignKey("students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期"))
    action = models.CharField(_("调整方式"), max_length=8, choices=OverrideAction.choices)
    tier = models.PositiveSmallIntegerField(_("档次"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, validators=[validate_free_text])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), auto_now=True)

    history = HistoricalRecords()

    scope_township_paths = ("student__enrollments__school__township",)
    scope_school_paths = ("student__enrollments__school",)

    class Meta:
        verbose_name = _("资助人工调整")
        verbose_name_plural = _("资助人工调整")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "policy", "term"],
                name="override_once_per_student_policy_term",
                violation_error_message=_("该学生本学期此项目已有人工调整，请修改原记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(action="exclude", tier__isnull=True)
                | models.Q(action="tier", tier__isnull=False)
                | models.Q(action="add"),
                name="override_tier_matches_action",
                violation_error_message=_("调整档次须指定档次，排除不指定档次。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="override_has_reason",
                violation_error_message=_("人工调整须写明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.policy.name} {self.get_action_display()}"
