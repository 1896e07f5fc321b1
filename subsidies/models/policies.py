"""Aid policies as data, per school year.

A policy says who it is for (stages, school conditions, qualifying categories),
how much (tiers, per-stage amounts, per-day rates, the school's tuition), how
many (quota, floor, poor-village full coverage) and in which order (priority).
Nothing about a policy is a constant in code: `subsidies.rules` reads these
rows, and `fixtures/policies_seed.json` ships the seed's standards.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from students.models import Stage

RATIO_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
MONEY = {"max_digits": 10, "decimal_places": 2}


class PolicyKind(models.TextChoices):
    """How a policy's amount is worked out; each computed kind has one pricing rule in `subsidies.rules`."""

    TIERED_GRANT = "tiered_grant", _("分档助学金")
    FLAT_GRANT = "flat_grant", _("定额补助")
    PER_DAY = "per_day", _("按天补助")
    TUITION_WAIVER = "tuition_waiver", _("免学费")
    CASE_BY_CASE = "case_by_case", _("酌情资助")
    LOAN = "loan", _("助学贷款")


class Category(models.TextChoices):
    """Facts about a student that policies qualify, tier and rank by.

    `hardship` (家庭经济困难) is derived: the household has any registered
    hardship category, or the student is an orphan.
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
    poor_village_in_quota = models.BooleanField(
        _("省定贫困村学生占用名额"),
        default=True,
        help_text=_(
            "勾选：省定贫困村学生先行全覆盖并占用名额，剩余名额按困难程度安排；"
            "不勾选：省定贫困村学生在名额之外全覆盖，名额全部按困难程度安排。"
        ),
    )
    lifted_households_count = models.BooleanField(
        _("已脱贫户仍享受政策（脱贫不脱政策）"), default=True
    )
    # The central five-year transition period after 2020 (过渡期): households that left poverty
    # keep counting through the end of 2025 unless the county sets another period.
    transition_end = models.DateField(
        _("过渡期截止日期"),
        default=datetime.date(2025, 12, 31),
        help_text=_("已脱贫户在此日期前开学的学期仍按原类别计入；之后只按其他类别计入。"),
    )
    transition_years = models.PositiveSmallIntegerField(
        _("过渡期年数"),
        null=True,
        blank=True,
        help_text=_("填写时，已知脱贫年份的家庭计入至脱贫年份加此年数的年底；未知脱贫年份的按截止日期。"),
    )

    # Who may apply, for the policies handled by application (each rule editable by the county).
    applicant_poor_village_only = models.BooleanField(
        _("申请人须为省定贫困村家庭"), default=False
    )
    applicant_new_entrant_only = models.BooleanField(
        _("仅限当年考取的新生"), default=False, help_text=_("如低保家庭新生生活资助：入学年份须为本学年。")
    )
    partners = models.CharField(
        _("合作单位"),
        max_length=100,
        blank=True,
        validators=[validate_name],
        help_text=_("共同开展的单位，以顿号分隔，如 县总工会、团县委、县妇联；填写后申请须注明资助单位。"),
    )

    # Student loans (生源地信用助学贷款): `annual_amount` is the yearly cap for 专科/本科.
    loan_cap_postgraduate = models.DecimalField(
        _("研究生每年最高贷款额度（元）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    loan_max_years = models.PositiveSmallIntegerField(_("最长贷款期限（年）"), null=True, blank=True)
    loan_grace_years = models.PositiveSmallIntegerField(_("还本宽限期（年）"), null=True, blank=True)
    loan_rate = models.DecimalField(
        _("贷款年利率"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATIO_VALIDATORS,
        help_text=_("如 0.0430 表示 4.30%，签订合同时带入，可在合同中修改。"),
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
        # People read the name (资助项目); the code is for commands and workbooks only.
        return f"{self.name}（{self.school_year.name}学年）"

    @property
    def stage_list(self) -> list[str]:
        return [code for code in self.stages.split(",") if code]

    @property
    def partner_list(self) -> list[str]:
        return [name.strip() for name in self.partners.replace(",", "、").split("、") if name.strip()]

    @property
    def is_one_off(self) -> bool:
        """Higher-education aid is paid once a year (in the autumn term), not each term."""
        return self.level == PolicyLevel.HIGHER

    @property
    def study_year_list(self) -> list[int]:
        return [int(n) for n in self.study_years.split(",") if n]

    def clean(self) -> None:
        unknown = set(self.stage_list) - set(Stage.values)
        if unknown:
            raise ValidationError({"stages": _("未知的学段：%s") % "、".join(sorted(unknown))})
        if not self.stage_list and not self.by_application:
            raise ValidationError(
                {"stages": _("请至少勾选一个适用学段（按申请办理的项目可不选）。")}
            )


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
