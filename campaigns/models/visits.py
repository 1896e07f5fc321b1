"""Home visits (走访) to registered children's families, and their photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from campaigns.models.photos import PhotoBase
from students.models import Household, School, Student


class VisitAction(models.TextChoices):
    """What was done during a home visit."""

    TALK = "talk", _("与家长交谈")
    PLAY = "play", _("陪孩子游戏")
    CLEAN = "clean", _("帮助打扫卫生")
    GREET = "greet", _("节日慰问")
    POLICY = "policy", _("政策宣讲")


class HomeVisit(models.Model):
    """A home visit (走访) to a registered child's family, entered by the kindergarten."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("幼儿园")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("家庭")
    )
    children = models.ManyToManyField(
        Student, related_name="home_visits", verbose_name=_("走访幼儿")
    )
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    led_by = models.CharField(_("带队人"), max_length=30, validators=[validate_name])
    participants = models.TextField(_("参加人员"), blank=True, help_text=_("教师、扶贫专干等"), validators=[validate_free_text])
    # Codes of `VisitAction`, comma-separated, as `School.stages` stores stages.
    actions = models.CharField(_("走访内容"), max_length=100, blank=True)
    other_actions = models.TextField(_("其他内容"), blank=True, validators=[validate_free_text])
    family_feedback = models.TextField(_("家长反映"), blank=True, validators=[validate_free_text])
    teacher_evaluation = models.TextField(_("教师评语"), blank=True, validators=[validate_free_text])
    follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up = models.TextField(_("跟进事项"), blank=True, validators=[validate_free_text])
    follow_up_done = models.BooleanField(_("跟进已完成"), default=False)
    follow_up_done_on = models.DateField(_("跟进完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[children])

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]
        permissions = [("export_homevisit", _("可导出走访记录"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_done=False) | models.Q(follow_up_needed=True),
                name="home_visit_follow_up_done_needs_follow_up",
                violation_error_message=_("没有跟进事项的走访不能标记为跟进完成。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户 {self.visited_at:%Y-%m-%d}"

    @property
    def action_list(self) -> list[str]:
        return [code for code in self.actions.split(",") if code]

    def get_actions_display(self) -> str:
        labels = dict(VisitAction.choices)
        return "、".join(str(labels.get(code, code)) for code in self.action_list)

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_needed and not self.follow_up_done


class VisitPhoto(PhotoBase):
    """A photo taken during a home visit."""

    visit = models.ForeignKey(
        HomeVisit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("走访记录")
    )

    record_field = "visit"
    scope_township_paths = ("visit__school__township",)
    scope_school_paths = ("visit__school",)

    class Meta(PhotoBase.Meta):
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
