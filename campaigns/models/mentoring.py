"""一对一爱心育才: teachers paired with a registered student, and the contact log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aidsite.lib.text import validate_free_text, validate_name
from students.models import School, Student


class MentoringFocus(models.TextChoices):
    ECONOMIC = "economic", _("经济援助")
    COUNSELLING = "counselling", _("心理疏导")
    TUTORING = "tutoring", _("学业辅导")


class Mentoring(models.Model):
    """A 一对一爱心育才 pairing: one or more teachers with one registered student."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="mentorings", verbose_name=_("学生")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="mentorings", verbose_name=_("学校")
    )
    teachers = models.CharField(_("结对教师"), max_length=120, help_text=_("多名教师用顿号分隔"), validators=[validate_name])
    focus = models.CharField(_("帮扶重点"), max_length=12, choices=MentoringFocus.choices)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    notes = models.TextField(_("帮扶措施"), blank=True, validators=[validate_free_text])

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("一对一帮扶")
        verbose_name_plural = _("一对一帮扶")
        ordering = ["school__name", "student__name"]
        permissions = [("export_mentoring", _("可导出帮扶台账"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="mentoring_dates_ordered",
                violation_error_message=_("结束日期不能早于结对日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.teachers} → {self.student.name}"


class ContactMode(models.TextChoices):
    TALK = "talk", _("面谈")
    PHONE = "phone", _("电话")
    HOME = "home", _("家访")
    ONLINE = "online", _("微信/QQ")


class MentoringContact(models.Model):
    """One contact of a mentoring pair with the student or family (帮扶台账 row)."""

    mentoring = models.ForeignKey(
        Mentoring, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("一对一帮扶")
    )
    date = models.DateField(_("日期"))
    teacher = models.CharField(_("教师"), max_length=30, validators=[validate_name])
    mode = models.CharField(_("方式"), max_length=10, choices=ContactMode.choices)
    content = models.TextField(_("帮扶内容"), validators=[validate_free_text])
    outcome = models.TextField(_("效果"), blank=True, validators=[validate_free_text])

    scope_township_paths = ("mentoring__school__township",)
    scope_school_paths = ("mentoring__school",)

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.teacher}"
