"""The registry (建档立卡): places, schools, households, students and enrollments.

Every model names how it is scoped (`scope_township_paths`, `scope_school_paths`):
`aidsite.access.scope_queryset` reads these lookups so that no view repeats an
access check.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.idcard import (
    IdNumberError,
    check_id_number,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from aidsite.lib.text import validate_name
from students.dropout_models import (  # noqa: F401  (re-exported: the app's models)
    ContactMode,
    DropoutCase,
    DropoutContact,
    DropoutOutcome,
)

MOBILE_VALIDATOR = RegexValidator(r"^1[3-9]\d{9}$", _("手机号码应为 11 位，以 13–19 开头。"))


class Stage(models.TextChoices):
    """Education stages (学段)."""

    KINDERGARTEN = "kindergarten", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    HIGH = "high", _("普通高中")
    VOCATIONAL = "vocational", _("中职")
    SPECIAL = "special", _("特殊教育")
    # College students of the county's households: enrolled only on the township's roll of
    # 生源地 college students (`subsidies.services.applications`), never by a roster.
    HIGHER = "higher", _("高等教育")


# Plausible ages on 1 September per stage (SECURITY B1), generous for late starters and repeaters.
STAGE_AGES = {
    Stage.KINDERGARTEN: (2, 7),
    Stage.PRIMARY: (5, 16),
    Stage.JUNIOR: (10, 19),
    Stage.HIGH: (13, 22),
    Stage.VOCATIONAL: (13, 30),
    Stage.SPECIAL: (3, 25),
    Stage.HIGHER: (15, 45),
}


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on `day`."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def stage_age_error(*, birth_date: dt.date, stage: str, school_year: str) -> str | None:
    """Why a birth date cannot be a pupil of `stage` in `school_year` (如 2022-2023), or None.

    The one rule the importer, the admin and every other path that saves an
    enrollment apply: a 1949 birth date is not a kindergarten child.
    """
    if stage not in STAGE_AGES or len(school_year) < 4 or not school_year[:4].isdigit():
        return None
    low, high = STAGE_AGES[stage]
    age = age_on(birth_date, dt.date(int(school_year[:4]), 9, 1))
    if low <= age <= high:
        return None
    return (
        f"身份证号中的出生日期（{birth_date:%Y-%m-%d}）与学段不符："
        f"{school_year}学年开学时 {age} 岁"
    )


class Season(models.TextChoices):
    AUTUMN = "autumn", _("秋季学期")
    SPRING = "spring", _("春季学期")


class SchoolYear(models.Model):
    """A school year (学年) such as 2022-2023; it starts in autumn."""

    name = models.CharField(_("学年"), max_length=9, unique=True)
    start_year = models.PositiveSmallIntegerField(_("起始年份"), unique=True)
    # The ages 控辍保学 checks (issue 13), set by the county: ages on `age_reference_date()`.
    compulsory_age_from = models.PositiveSmallIntegerField(_("义务教育起始年龄"), default=6)
    compulsory_age_to = models.PositiveSmallIntegerField(_("义务教育截止年龄"), default=15)
    preschool_age_from = models.PositiveSmallIntegerField(_("学前教育起始年龄"), default=3)
    preschool_age_to = models.PositiveSmallIntegerField(_("学前教育截止年龄"), default=5)
    age_cutoff = models.DateField(
        _("年龄计算截止日"), null=True, blank=True, help_text=_("留空即起始年份的 8 月 31 日。")
    )

    class Meta:
        verbose_name = _("学年")
        verbose_name_plural = _("学年")
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compulsory_age_from__lte=models.F("compulsory_age_to"))
                & models.Q(preschool_age_from__lte=models.F("preschool_age_to")),
                name="school_year_age_ranges_ordered",
                violation_error_message=_("起始年龄不能大于截止年龄。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def age_reference_date(self) -> dt.date:
        """The day ages are counted on: 31 August of the start year unless the county set another."""
        return self.age_cutoff or dt.date(self.start_year, 8, 31)


class Term(models.Model):
    """One of a school year's two terms (学期): autumn then spring."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="terms", verbose_name=_("学年")
    )
    season = models.CharField(_("学期"), max_length=8, choices=Season.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["-school_year__start_year", "season"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "season"],
                name="term_unique_per_year",
                violation_error_message=_("该学年已有此学期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_year.name}学年{self.get_season_display()}"


class Township(models.Model):
    """A township or sub-district (镇/街道)."""

    name = models.CharField(_("乡镇（街道）"), max_length=30, unique=True, validators=[validate_name])

    scope_township_paths = ("pk",)
    scope_school_paths = ("schools",)

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["name"]
        permissions = [("export_township", _("可导出乡镇"))]

    def __str__(self) -> str:
        return self.name

    @property
    def office_name(self) -> str:
        """The township's education office, the unit that signs its notices and ledgers."""
        return f"{self.name}教育办公室"


class Village(models.Model):
    """A village or community (村/社区); some are province-designated poor villages."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇")
    )
    name = models.CharField(_("村（社区）"), max_length=30, validators=[validate_name])
    is_poor_village = models.BooleanField(_("省定贫困村"), default=False)

    scope_township_paths = ("township",)
    scope_school_paths = ("schools", "households__students__enrollments__school")

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["township__name", "name"]
        permissions = [("export_village", _("可导出村（社区）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_unique_per_township",
                violation_error_message=_("该乡镇已有同名的村（社区）。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.township.name}{self.name}"


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class School(models.Model):
    """A school or kindergarten (学校/幼儿园)."""

    name = models.CharField(_("学校名称"), max_length=60, unique=True, validators=[validate_name])
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="schools", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
        verbose_name=_("村（社区）"),
    )
    # A school may serve several stages (九年一贯制): codes of `Stage`, comma-separated.
    stages = models.CharField(_("学段"), max_length=80)
    ownership = models.CharField(
        _("办学性质"), max_length=8, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    is_inclusive = models.BooleanField(_("普惠性"), default=False)
    is_county_approved = models.BooleanField(_("县级审批"), default=False)
    is_rural = models.BooleanField(_("农村学校"), default=False)
    is_boarding = models.BooleanField(_("寄宿制"), default=False)
    tuition = models.DecimalField(
        _("学费标准（元/年）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    scope_township_paths = ("township",)
    scope_school_paths = ("pk",)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["township__name", "name"]
        permissions = [("export_school", _("可导出学校"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tuition__gte=0),
                name="school_tuition_not_negative",
                violation_error_message=_("学费标准不能为负数。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_list(self) -> list[str]:
        return [code for code in self.stages.split(",") if code]

    def get_stages_display(self) -> str:
        labels = dict(Stage.choices)
        return "、".join(str(labels.get(code, code)) for code in self.stage_list)

    get_stages_display.short_description = _("学段")  # type: ignore[attr-defined]


class Household(models.Model):
    """A household (家庭/户), identified within its village by the head's name."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("村（社区）")
    )
    head_name = models.CharField(_("户主姓名"), max_length=30, validators=[validate_name])
    address = models.CharField(_("家庭住址"), max_length=120, blank=True, validators=[validate_name])
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[MOBILE_VALIDATOR])

    history = HistoricalRecords()

    scope_township_paths = ("village__township",)
    scope_school_paths = ("students__enrollments__school",)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["village__township__name", "village__name", "head_name"]
        permissions = [("export_household", _("可导出家庭"))]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "head_name"],
                name="household_unique_head_per_village",
                violation_error_message=_("该村已有同一户主的家庭。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.village.name}）"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class HouseholdCategory(models.TextChoices):
    """Registered hardship categories of a household (家庭类别)."""

    REGISTERED = "registered", _("建档立卡贫困户")
    DIBAO = "dibao", _("低保户")
    EXTREME = "extreme", _("特困供养")
    OTHER = "other", _("其他家庭经济困难")


class PovertyStatus(models.TextChoices):
    IN_POVERTY = "in_poverty", _("未脱贫")
    LIFTED = "lifted", _("已脱贫")


class HouseholdHardship(models.Model):
    """One registered hardship category of a household, with the year and status."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="hardships", verbose_name=_("家庭")
    )
    category = models.CharField(_("类别"), max_length=12, choices=HouseholdCategory.choices)
    year_registered = models.PositiveSmallIntegerField(_("认定年份"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PovertyStatus.choices, default=PovertyStatus.IN_POVERTY
    )
    year_lifted = models.PositiveSmallIntegerField(_("脱贫年份"), null=True, blank=True)
    # The civil-affairs list's 起始日期/终止日期 (低保, 特困): a category whose end date has
    # passed is removed when the list's differences are applied; its history keeps both dates.
    start_date = models.DateField(_("起始日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)

    history = HistoricalRecords()

    scope_township_paths = ("household__village__township",)
    scope_school_paths = ("household__students__enrollments__school",)

    class Meta:
        verbose_name = _("家庭困难类别")
        verbose_name_plural = _("家庭困难类别")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "category"],
                name="hardship_unique_category_per_household",
                violation_error_message=_("该家庭已登记此类别。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户 {self.get_category_display()}"


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relation(models.TextChoices):
    """A member's relation to the head of the household (与户主关系), as the 扶贫 registry lists it."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    GRANDCHILD = "grandchild", _("孙子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class HouseholdMember(models.Model):
    """A member of a household (家庭成员), whether or not a school enrolls them.

    The registry knows every child of a registered household through its members,
    so that a child who never enrolled, or dropped out, is not invisible (控辍保学).
    A member who is a student is the `Student` with the same ID number; sex and
    birth date come from the ID number.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("家庭")
    )
    name = models.CharField(_("姓名"), max_length=30, validators=[validate_name])
    id_number = models.CharField(
        _("公民身份号码"),
        max_length=18,
        unique=True,
        validators=[validate_id_number],
        error_messages={"unique": _("已有家庭成员使用此身份证号。")},
    )
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.OTHER)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)

    history = HistoricalRecords()

    scope_township_paths = ("household__village__township",)
    scope_school_paths = ("household__students__enrollments__school",)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "birth_date"]
        indexes = [models.Index(fields=["birth_date"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.birth_date is None or not self.sex:
            facts = check_id_number(self.id_number)
            self.sex, self.birth_date = facts.sex, facts.birth_date
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def clean(self) -> None:
        """Sex and birth date are read from the ID number (the field's validator reports a bad one)."""
        try:
            facts = check_id_number(self.id_number)
        except IdNumberError:
            return
        self.sex, self.birth_date = facts.sex, facts.birth_date


class Student(models.Model):
    """A student or young child (学生/幼儿); sex and birth date come from the ID number."""

    name = models.CharField(_("姓名"), max_length=30, validators=[validate_name])
    id_number = models.CharField(
        _("公民身份号码"),
        max_length=18,
        unique=True,
        validators=[validate_id_number],
        error_messages={"unique": _("已有学生使用此身份证号。")},
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="students", verbose_name=_("家庭")
    )
    is_orphan = models.BooleanField(_("孤儿"), default=False)
    is_martyr_child = models.BooleanField(_("烈士子女"), default=False)
    is_disabled = models.BooleanField(_("残疾"), default=False)
    disability_certificate = models.CharField(_("残疾证号"), max_length=30, blank=True, validators=[validate_name])
    guardian_name = models.CharField(_("监护人"), max_length=30, blank=True, validators=[validate_name])
    guardian_phone = models.CharField(
        _("监护人电话"), max_length=11, blank=True, validators=[MOBILE_VALIDATOR]
    )

    history = HistoricalRecords()

    scope_township_paths = ("household__village__township", "enrollments__school__township")
    scope_school_paths = ("enrollments__school",)

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["name"]
        permissions = [
            ("export_student", _("可导出学生")),
            ("view_full_personal_data", _("可查看完整身份证号和电话")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def clean(self) -> None:
        """Sex and birth date are the ID number's; the birth date fits every enrollment's stage."""
        try:
            facts = check_id_number(self.id_number)
        except IdNumberError:
            return  # the field's own validator reports it
        if self.birth_date is None:
            self.birth_date = facts.birth_date
        if not self.sex:
            self.sex = facts.sex
        errors = {}
        if self.birth_date != facts.birth_date:
            errors["birth_date"] = _("出生日期与身份证号不符（身份证号显示为 %s）。") % f"{facts.birth_date:%Y-%m-%d}"
        if self.sex != facts.sex:
            errors["sex"] = _("性别与身份证号不符。")
        if self.pk is not None and not errors:
            for stage, year in self.enrollments.values_list("stage", "school_year__name"):
                problem = stage_age_error(birth_date=facts.birth_date, stage=stage, school_year=year)
                if problem:
                    errors["id_number"] = problem
                    break
        if errors:
            raise ValidationError(errors)


class EnrollmentStatus(models.TextChoices):
    STUDYING = "studying", _("在读")
    SUSPENDED = "suspended", _("休学")
    TRANSFERRED = "transferred", _("转出")
    GRADUATED = "graduated", _("毕业")
    DROPPED = "dropped", _("辍学")


class Enrollment(models.Model):
    """A student's enrollment (学籍) at a school for one school year."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("学生")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("学校")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("学年")
    )
    stage = models.CharField(_("学段"), max_length=12, choices=Stage.choices)
    grade = models.CharField(_("年级"), max_length=20, blank=True, validators=[validate_name])
    class_name = models.CharField(_("班级"), max_length=20, blank=True, validators=[validate_name])
    is_boarding = models.BooleanField(_("寄宿"), default=False)
    major = models.CharField(_("专业"), max_length=40, blank=True, validators=[validate_name])
    is_agri_major = models.BooleanField(_("涉农专业"), default=False)
    study_year = models.PositiveSmallIntegerField(_("在读年级（第几年）"), null=True, blank=True)
    status = models.CharField(
        _("学籍状态"),
        max_length=12,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.STUDYING,
    )

    history = HistoricalRecords()

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        ordering = ["-school_year__start_year", "school__name", "grade", "class_name"]
        permissions = [("export_enrollment", _("可导出学籍"))]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school", "school_year"],
                name="enrollment_unique_per_school_year",
                violation_error_message=_("该学生在此学校本学年已有学籍。"),
            )
        ]
        indexes = [models.Index(fields=["school_year", "stage", "status"])]

    def __str__(self) -> str:
        return f"{self.student.name} {self.school.name} {self.school_year.name}"

    def clean(self) -> None:
        """The school teaches the stage, and the student's age fits it in that school year (B1)."""
        errors: list[str] = []
        school = self.school if self.school_id is not None else None
        if school is not None and self.stage and self.stage not in school.stage_list:
            errors.append(
                _("%(school)s没有“%(stage)s”学段。")
                % {"school": school.name, "stage": self.get_stage_display()}
            )
        student = self.student if self.student_id is not None or _has_cached(self, "student") else None
        year = self.school_year if self.school_year_id is not None else None
        if student is not None and student.birth_date and year is not None and self.stage:
            problem = stage_age_error(birth_date=student.birth_date, stage=self.stage, school_year=year.name)
            if problem:
                errors.append(problem)
        if errors:
            raise ValidationError({"stage": errors})


def _has_cached(instance: models.Model, name: str) -> bool:
    """A relation set on an unsaved instance (an admin inline's new parent) is cached, not yet keyed."""
    return instance._meta.get_field(name).is_cached(instance)


# The other departments' lists (扶贫, 民政, 残联) live in their own module; imported here so
# that Django registers their models with the app.
from students.external_models import (  # noqa: E402, F401
    ExternalListImport,
    ExternalListRow,
    ExternalSource,
)
from students.two_after_models import OfferOutcome, TwoAfterOffer  # noqa: E402, F401
