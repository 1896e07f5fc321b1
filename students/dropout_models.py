"""控辍保学 cases (劝返): one case per child and school year, its contacts and its outcome.

Defined apart from `students.models` (which re-exports them) to keep that module
readable; the relations name their targets by label, so this module imports no model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name


class DropoutOutcome(models.TextChoices):
    """How a case ends (the closed list of issue 13)."""

    RETURNED = "returned", _("已返校")
    ELSEWHERE = "elsewhere", _("外地就读")
    HOME_TEACHING = "home_teaching", _("送教上门")
    SICK_LEAVE = "sick_leave", _("因病休学")
    COMPLETED = "completed", _("已完成义务教育")
    GONE = "gone", _("死亡/迁出")


# Outcomes that account for the child in the case's school year only: next year they are
# checked again. 已返校 accounts for nothing by itself: the enrollment it made does, and if
# that enrollment ends the child is listed again and the case reopens.
YEARLY_OUTCOMES = (
    DropoutOutcome.ELSEWHERE,
    DropoutOutcome.HOME_TEACHING,
    DropoutOutcome.SICK_LEAVE,
)
# Outcomes that account for the child for good, whatever the year.
LASTING_OUTCOMES = (DropoutOutcome.COMPLETED, DropoutOutcome.GONE)


class ContactMode(models.TextChoices):
    VISIT = "visit", _("入户走访")
    PHONE = "phone", _("电话联系")
    SCHOOL = "school", _("到校约谈")
    OTHER = "other", _("其他")


class DropoutCase(models.Model):
    """The follow-up (劝返) of one suspected drop-out in one school year.

    Open while `outcome` is blank. A closed case stays closed whatever is imported
    later; a child who returned (已返校) and is missing again reopens it.
    """

    member = models.ForeignKey(
        "students.HouseholdMember",
        on_delete=models.PROTECT,
        related_name="dropout_cases",
        verbose_name=_("儿童"),
    )
    school_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="dropout_cases",
        verbose_name=_("学年"),
    )
    responsible = models.CharField(
        _("责任人"), max_length=30, blank=True, validators=[validate_name]
    )
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=DropoutOutcome.choices, blank=True)
    outcome_date = models.DateField(_("结果日期"), null=True, blank=True)
    evidence = models.TextField(
        _("佐证说明"), max_length=500, blank=True, validators=[validate_free_text]
    )
    school = models.ForeignKey(
        "students.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("返校学校"),
    )
    enrollment = models.ForeignKey(
        "students.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("返校学籍"),
    )
    elsewhere_school = models.CharField(
        _("就读学校"), max_length=60, blank=True, validators=[validate_name]
    )
    elsewhere_place = models.CharField(
        _("就读地"), max_length=60, blank=True, validators=[validate_name]
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结案人"),
    )
    reopened_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)

    history = HistoricalRecords()

    scope_township_paths = ("member__household__village__township",)
    scope_school_paths = ()

    class Meta:
        verbose_name = _("控辍保学个案")
        verbose_name_plural = _("控辍保学个案")
        ordering = ["-school_year__start_year", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "school_year"],
                name="dropout_case_unique_per_year",
                violation_error_message=_("该儿童本学年已有控辍保学个案。"),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome_date__isnull=False),
                name="dropout_case_outcome_dated",
                violation_error_message=_("结案须填写结果日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DropoutOutcome.RETURNED) | Q(school__isnull=False),
                name="dropout_case_return_has_school",
                violation_error_message=_("已返校须填写返校学校。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.school_year.name}学年"

    @property
    def is_open(self) -> bool:
        return not self.outcome


class DropoutContact(models.Model):
    """One contact made on a case (劝返记录): when, by whom, how, what was said or agreed."""

    case = models.ForeignKey(
        DropoutCase, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("个案")
    )
    date = models.DateField(_("日期"))
    by = models.CharField(_("联系人"), max_length=30, validators=[validate_name])
    mode = models.CharField(_("方式"), max_length=8, choices=ContactMode.choices)
    content = models.TextField(_("情况"), max_length=1000, validators=[validate_free_text])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_township_paths = ("case__member__household__village__township",)
    scope_school_paths = ()

    class Meta:
        verbose_name = _("劝返记录")
        verbose_name_plural = _("劝返记录")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_mode_display()}"
