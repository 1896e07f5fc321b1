"""Aid policies as data (per school year), and each term's entitlements.

A policy says who it is for (stages, school conditions, qualifying categories),
how much (tiers, per-stage amounts, per-day rates, the school's tuition), how
many (quota, floor, poor-village full coverage) and in which order (priority).
Nothing about a policy is a constant in code: `subsidies.rules.eligibility` reads
these rows, and `fixtures/policies_seed.json` ships the seed's standards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from students.models import Stage

RATIO_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
MONEY = {"max_digits": 10, "decimal_places": 2}


class PolicyKind(models.TextChoices):
    """How a policy's amount is worked out; each computed kind is one rule in `eligibility.RULES`."""

    TIERED_GRANT = "tiered_grant", _("分档助学金")
    FLAT_GRANT = "flat_grant", _("定额补助")
    PER_DAY = "per_day", _("按天补助")
    TUITION_WAIVER = "tuition_waiver", _("免学费")
    CASE_BY_CASE = "case_by_case", _("酌情资助")
    LOAN = "loan", _("助学贷款")


class Category(models.TextChoices):
    """Facts about a student that policies qualify, tier and rank by.

    `hardship` (家庭经济困难) is derived: the household has any registered
    hardship category, or the student is an orphan (issue 3).
    """

    ALL = "all", _("全体在读学生")
    HARDSHIP = "hardship", _("家庭经济困难")
    EXTREME = "extreme", _("特困供养")
    REGISTERED = "registered", _("建档立卡贫困户")
    DIBAO = "dibao", _("低保户")
    OTHER = "other", _("其他家庭经济困难")
    ORPHAN = "orphan", _("孤儿")
    MARTYR_CHILD = "martyr_child", _("烈士子女")
    DISABLED = "disabled", _("残疾")
    SPECIAL_ED = "special_ed", _("特殊教育学生")
    AGRI_MAJOR = "agri_major", _("涉农专业")


class CountBase(models.TextChoices):
    """What a quota or floor ratio is a share of, per school."""

    POPULATION = "population", _("适用范围内在校生")
    NON_EXEMPT = "non_exempt", _("适用范围内不占名额类别以外的在校生")
    BOARDERS = "boarders", _("适用范围内寄宿生")


class OwnershipRequirement(models.TextChoices):
    ANY = "", _("公办、民办均可")
    PUBLIC = "public", _("仅公办")
    PRIVATE = "private", _("仅民办")


class PolicyLevel(models.TextChoices):
    """The education level a policy belongs to, as DOMAIN.md's policy table groups them."""

    PRESCHOOL = "preschool", _("学前教育")
    COMPULSORY = "compulsory", _("义务教育")
    HIGH = "high", _("普通高中")
    VOCATIONAL = "vocational", _("中等职业教育")
    HIGHER = "higher", _("高等教育")


class Policy(models.Model):
    """One aid policy (资助项目) of one school year, edited by the county."""

    school_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("学年"),
    )
    code = models.CharField(
        _("项目代码"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Z]+(-[A-Z]+)*$", _("项目代码为大写字母，可用连字符，如 CMP-MEAL。"))],
    )
    name = models.CharField(_("资助项目"), max_length=60, validators=[validate_name])
    kind = models.CharField(_("资助方式"), max_length=16, choices=PolicyKind.choices)
    level = models.CharField(_("教育阶段"), max_length=12, choices=PolicyLevel.choices)
    # Codes of `students.Stage`, comma-separated, like `School.stages`; blank for
    # higher education, which the registry does not enroll.
    stages = models.CharField(_("适用学段"), max_length=80, blank=True)
    by_application = models.BooleanField(
        _("按申请办理"),
        default=False,
        help_text=_("酌情减免、高等教育等按申请逐人办理的项目，不参与学期资助名单测算。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("政策说明"), blank=True, validators=[validate_free_text])

    # Who is in the policy's population.
    school_rural_only = models.BooleanField(_("仅限农村学校"), default=False)
    school_inclusive_only = models.BooleanField(
        _("仅限县级审批的普惠性幼儿园"), default=False
    )
    school_ownership = models.CharField(
        _("办学性质"),
        max_length=8,
        blank=True,
        choices=OwnershipRequirement.choices,
        default=OwnershipRequirement.ANY,
    )
    boarders_only = models.BooleanField(_("仅限寄宿生"), default=False)
    study_years = models.CharField(
        _("适用年级（第几年）"),
        max_length=20,
        blank=True,
        help_text=_("如 1,2 表示一、二年级；留空为全部年级。"),
        validators=[RegexValidator(r"^(\d+(,\d+)*)?$", _("请写作 1,2 这样的数字列表。"))],
    )

    # How much.
    annual_amount = models.DecimalField(
        _("年资助标准（元）"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("定额补助的每生每年金额；贷款为每年最高额度。"),
    )
    average_standard = models.DecimalField(
        _("平均资助标准（元/年）"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    # How many.
    quota_ratio = models.DecimalField(
        _("资助面（名额比例）"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATIO_VALIDATORS,
        help_text=_("如 0.10 表示 10%；留空为不限名额。"),
    )
    quota_base = models.CharField(
        _("名额基数"), max_length=12, choices=CountBase.choices, default=CountBase.POPULATION
    )
    floor_ratio = models.DecimalField(
        _("资助比例下限"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATIO_VALIDATORS,
        help_text=_("不低于该比例；低于时提示，不自动增补。"),
    )
    floor_base = models.CharField(
        _("下限基数"), max_length=12, choices=CountBase.choices, default=CountBase.POPULATION
    )
    floor_category = models.CharField(
        _("计入下限的类别"),
        max_length=16,
        blank=True,
        choices=Category.choices,
        help_text=_("留空为全部获资助学生。"),
    )
    poor_village_full_coverage = models.BooleanField(_("省定贫困村全覆盖"), default=True)
    lifted_households_count = models.BooleanField(
        _("已脱贫户仍享受政策（脱贫不脱政策）"), default=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资助政策")
        verbose_name_plural = _("资助政策")
        ordering = ["-school_year__start_year", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "code"],
                name="policy_unique_code_per_year",
                violation_error_message=_("该学年已有此项目代码的资助政策。"),
            ),
            models.CheckConstraint(
                condition=models.Q(annual_amount__isnull=True) | models.Q(annual_amount__gte=0),
                name="policy_annual_amount_not_negative",
                violation_error_message=_("年资助标准不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(quota_ratio__isnull=True)
                | models.Q(quota_ratio__gte=0, quota_ratio__lte=1),
                name="policy_quota_ratio_between_0_and_1",
                violation_error_message=_("资助面应在 0 到 1 之间。"),
            ),
            models.CheckConstraint(
                condition=models.Q(floor_ratio__isnull=True)
                | models.Q(floor_ratio__gte=0, floor_ratio__lte=1),
                name="policy_floor_ratio_between_0_and_1",
                violation_error_message=_("资助比例下限应在 0 到 1 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year.name} {self.code} {self.name}"

    @property
    def stage_list(self) -> list[str]:
        return [code for code in self.stages.split(",") if code]

    @property
    def study_year_list(self) -> list[int]:
        return [int(n) for n in self.study_years.split(",") if n]

    def clean(self) -> None:
        unknown = set(self.stage_list) - set(Stage.values)
        if unknown or (not self.stage_list and not self.by_application):
            raise ValidationError({"stages": _("学段须为以下代码，逗号分隔：%s") % ",".join(Stage.values)})


class PolicyTier(models.Model):
    """A tier (档次) and its annual amount."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("资助政策"))
    tier = models.PositiveSmallIntegerField(_("档次"), validators=[MinValueValidator(1)])
    annual_amount = models.DecimalField(
        _("年资助金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("资助档次")
        verbose_name_plural = _("资助档次")
        ordering = ["policy", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "tier"],
                name="policy_tier_unique",
                violation_error_message=_("该政策已有此档次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(annual_amount__gte=0),
                name="policy_tier_amount_not_negative",
                violation_error_message=_("档次金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier}档 {self.annual_amount}元"


class PolicyStageAmount(models.Model):
    """An annual amount for one stage where it differs (e.g. boarding: primary 1000, junior 1250)."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="stage_amounts", verbose_name=_("资助政策")
    )
    stage = models.CharField(_("学段"), max_length=12, choices=Stage.choices)
    annual_amount = models.DecimalField(
        _("年资助金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("分学段标准")
        verbose_name_plural = _("分学段标准")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "stage"],
                name="policy_stage_amount_unique",
                violation_error_message=_("该政策已有此学段的标准。"),
            ),
            models.CheckConstraint(
                condition=models.Q(annual_amount__gte=0),
                name="policy_stage_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.annual_amount}元"


class PolicyDailyRate(models.Model):
    """A per-day rate for students of one category: rate × days a year; the highest applies."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="daily_rates", verbose_name=_("资助政策")
    )
    category = models.CharField(_("适用学生"), max_length=16, choices=Category.choices)
    rate = models.DecimalField(
        _("每天标准（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    days_per_year = models.DecimalField(
        _("每年天数"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("366"))],
        help_text=_("每学期按一半计算，365 天即每学期 182.5 天。"),
    )

    class Meta:
        verbose_name = _("按天标准")
        verbose_name_plural = _("按天标准")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "category"],
                name="policy_daily_rate_unique",
                violation_error_message=_("该政策已有此类学生的按天标准。"),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, days_per_year__gte=0),
                name="policy_daily_rate_not_negative",
                violation_error_message=_("标准和天数不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.rate}元/天 × {self.days_per_year}天"


class PolicyCategory(models.Model):
    """How one category counts for a policy: qualifies or not, its tier, its priority.

    A student qualifies when any of their categories qualifies, takes the
    highest tier of their categories, and ranks by their neediest (lowest)
    priority when a quota is short.
    """

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="categories", verbose_name=_("资助政策")
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    qualifies = models.BooleanField(_("符合资助条件"), default=True)
    tier = models.PositiveSmallIntegerField(_("对应档次"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("优先顺序"), null=True, blank=True, help_text=_("数字小的优先；名额不足时依次安排。")
    )
    quota_exempt = models.BooleanField(
        _("不占名额"), default=False, help_text=_("如中职涉农专业学生全部资助，不占非涉农名额。")
    )

    class Meta:
        verbose_name = _("类别规则")
        verbose_name_plural = _("类别规则")
        ordering = ["policy", "priority", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "category"],
                name="policy_category_unique",
                violation_error_message=_("该政策已有此类别的规则。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_category_display())


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
        return f"{self.township} {self.term} {self.policy_codes}"


class ReasonsJSONEncoder(DjangoJSONEncoder):
    """Keeps Chinese reasons as UTF-8 in the database, not as \\uXXXX escapes (half the bytes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


# Everything but the status is frozen once a list is approved (SECURITY B6, C2);
# the status only moves between approved and paid (bank outcome, reversal).
ENTITLEMENT_FROZEN_COLUMNS = (
    "student_id",
    "enrollment_id",
    "policy_id",
    "term_id",
    "tier",
    "amount",
    "max_amount",
    "qualifies",
    "categories",
    "priority",
    "has_conflict",
    "reasons",
    "digest",
    "computed_at",
    "approval_id",
)


def entitlement_frozen_change_sql(*, distinct: str = "IS DISTINCT FROM") -> str:
    """The WHEN of the guard on approved entitlements; SQLite spells `IS DISTINCT FROM` as `IS NOT`."""
    locked = "('approved', 'paid')"
    changed = " OR ".join(f'OLD."{c}" {distinct} NEW."{c}"' for c in ENTITLEMENT_FROZEN_COLUMNS)
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
                condition=pgtrigger.Condition(entitlement_frozen_change_sql()),
            ),
            pgtrigger.Protect(
                name="locked_entitlement_not_deleted",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status__in=["approved", "paid"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.policy.code} {self.term}"

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons.get("lines", []))

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


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
        return f"{self.student.name} {self.policy.code} {self.get_action_display()}"


# ---------------------------------------------------------------------------
# Disbursement ledgers (发放台账), issue 4. Approved entitlements become entries
# of a batch; an approved batch and its entries never change again (SECURITY
# C2, C3): corrections are Reversal rows, bank outcomes are BankResult rows.



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
        from aidsite.lib.idcard import mask_account

        return f"{self.student.name} {self.get_method_display()} {mask_account(self.account_number)}"


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
    """发放批次: one township's entries of one policy and term, prepared by one person, approved by another."""

    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="batches", verbose_name=_("资助项目")
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
        return f"{self.township.name} {self.term} {self.policy.name} 第{self.sequence}批"

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


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("发放成功")
    FAILED = "failed", _("发放失败")


# What the bank's outcome and a reversal may still change on a locked entry; everything
# else is frozen by the approval.
ENTRY_MUTABLE_FIELDS = frozenset({"payment_status", "is_live"})
ENTRY_FROZEN_COLUMNS = (
    "batch_id",
    "entitlement_id",
    "student_id",
    "policy_id",
    "term_id",
    "school_id",
    "amount",
    "method",
    "account_number",
    "holder_name",
    "locked",
    "created_at",
)


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


def _entry_frozen_change_sql() -> str:
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in ENTRY_FROZEN_COLUMNS)
    # A reversed or failed entry never comes back to life.
    return f'OLD."locked" AND ({changed} OR (NEW."is_live" AND NOT OLD."is_live"))'


class LedgerEntry(models.Model):
    """One payment of one student's entitlement in one batch (发放记录).

    At most one live entry per student, policy and term (SECURITY C1): an entry
    stops being live when it is reversed or the bank reports it failed, and a
    later batch may then pay the entitlement again.
    """

    batch = models.ForeignKey(
        DisbursementBatch, on_delete=models.PROTECT, related_name="entries", verbose_name=_("发放批次")
    )
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("资助名单")
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("学生")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("资助项目"))
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
                condition=pgtrigger.Condition(_entry_frozen_change_sql()),
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


# ---------------------------------------------------------------------------
# Public notices (公示), issue 5. The list a school posts on its gate before final
# approval; the same list is a public web page during the notice period only
# (SECURITY D3). See subsidies.services.notices for the service that computes the end date.


class PublicNotice(models.Model):
    """公示: one school's proposed and approved aid under one policy for one term, shown for a period."""

    school = models.ForeignKey(
        "students.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("资助项目"))
    term = models.ForeignKey("students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期"))
    start_date = models.DateField(_("公示开始日期"))
    period_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    end_date = models.DateField(_("公示结束日期"), editable=False)
    objection_contact = models.CharField(_("异议受理"), max_length=120, validators=[validate_name])
    issuing_unit = models.CharField(_("公示单位"), max_length=60, validators=[validate_name])
    # The public page's address: unguessable, so notices cannot be walked by number.
    token = models.CharField(_("公示页地址码"), max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    # Early withdrawal (a wrong list posted by mistake): the public page is gone from then on.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("撤回人"),
    )
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=200, blank=True, editable=False, validators=[validate_free_text])

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("资助公示")
        verbose_name_plural = _("资助公示")
        ordering = ["-start_date", "school__name"]
        constraints = [
            # A withdrawn notice does not block posting the corrected list the same day.
            models.UniqueConstraint(
                fields=["school", "policy", "term", "start_date"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="notice_unique_per_school_policy_term_start",
                violation_error_message=_("该学校此项目本学期已有同一天开始的公示。"),
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_by__isnull=False),
                name="notice_withdrawn_by_someone",
                violation_error_message=_("撤回公示须记录撤回人。"),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="notice_end_not_before_start",
                violation_error_message=_("公示结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.policy.name} {self.term} 公示"
