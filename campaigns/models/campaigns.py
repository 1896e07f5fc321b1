"""Publicity campaigns: their phases, leading group, kindergartens' activities and summaries."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from campaigns.models.photos import PhotoBase
from campaigns.photos import document_upload_to, validate_plan_document
from students.models import School, SchoolYear, Township


class PhaseKind(models.TextChoices):
    """The three phases of a publicity month (seed, first plan)."""

    MOBILISE = "mobilise", _("动员阶段")
    IMPLEMENT = "implement", _("实施阶段")
    SUMMARISE = "summarise", _("总结阶段")


class Channel(models.TextChoices):
    """How a publicity activity reached people."""

    TEACHER_STUDY = "teacher_study", _("教师集中学习")
    PARENT_MEETING = "parent_meeting", _("家长会")
    HOME_SCHOOL_BOARD = "home_school_board", _("家园栏")
    DISPLAY_BOARD = "display_board", _("展板")
    WECHAT = "wechat", _("微信群")
    QQ = "qq", _("QQ群")
    SMS = "sms", _("短信")
    BROADCAST = "broadcast", _("广播电视")
    HOME_VISIT = "home_visit", _("入户宣传")


class Campaign(models.Model):
    """A township's publicity campaign (e.g. 2022年学前教育宣传月) and its kindergartens."""

    name = models.CharField(_("活动名称"), max_length=60, validators=[validate_name])
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("学年")
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("乡镇")
    )
    plan_text = models.TextField(_("宣传方案"), blank=True, validators=[validate_free_text])
    plan_document = models.FileField(
        _("方案文件"),
        upload_to=document_upload_to,
        blank=True,
        validators=[validate_plan_document],
    )
    schools = models.ManyToManyField(
        School, related_name="campaigns", blank=True, verbose_name=_("参加的幼儿园")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_township_paths = ("township",)
    scope_school_paths = ("schools",)

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-school_year__start_year", "name"]
        permissions = [("export_campaign", _("可导出宣传活动报告"))]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="campaign_unique_name_per_township",
                violation_error_message=_("该乡镇已有同名的宣传活动。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignPhase(models.Model):
    """One phase of a campaign with its dates (动员 / 实施 / 总结)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("宣传活动")
    )
    kind = models.CharField(_("阶段"), max_length=10, choices=PhaseKind.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    tasks = models.TextField(_("工作内容"), blank=True, validators=[validate_free_text])

    scope_township_paths = ("campaign__township",)
    scope_school_paths = ("campaign__schools",)

    class Meta:
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        ordering = ["campaign", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind"],
                name="campaign_phase_unique_kind",
                violation_error_message=_("该活动已有此阶段。"),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_phase_dates_ordered",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%m/%d}–{self.end_date:%m/%d}"


class MemberRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class CampaignMember(models.Model):
    """A member of the campaign's leading group (领导小组)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="members", verbose_name=_("宣传活动")
    )
    name = models.CharField(_("姓名"), max_length=30, validators=[validate_name])
    role = models.CharField(
        _("小组职务"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    position = models.CharField(_("工作单位及职务"), max_length=60, blank=True, validators=[validate_name])

    scope_township_paths = ("campaign__township",)
    scope_school_paths = ("campaign__schools",)

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["campaign", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Activity(models.Model):
    """A publicity activity a kindergarten held during a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="activities", verbose_name=_("宣传活动")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="campaign_activities", verbose_name=_("幼儿园")
    )
    date = models.DateField(_("日期"))
    phase = models.CharField(_("阶段"), max_length=10, choices=PhaseKind.choices)
    channel = models.CharField(_("宣传形式"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("对象"), max_length=60, blank=True, validators=[validate_name])
    reach = models.PositiveIntegerField(
        _("覆盖人数"), default=0, validators=[MaxValueValidator(100000)]
    )
    notes = models.TextField(_("活动内容"), blank=True, validators=[validate_free_text])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    # Corrections by the author on the day (campaigns.corrections) stay visible here.
    history = HistoricalRecords()

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("宣传活动记录")
        verbose_name_plural = _("宣传活动记录")
        ordering = ["-date", "-id"]
        permissions = [("export_activity", _("可导出宣传活动记录"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reach__gte=0),
                name="activity_reach_not_negative",
                violation_error_message=_("覆盖人数不能为负数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.date:%Y-%m-%d} {self.get_channel_display()}"


class ActivityPhoto(PhotoBase):
    """A photo of a publicity activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("宣传活动记录")
    )

    record_field = "activity"
    scope_township_paths = ("activity__school__township",)
    scope_school_paths = ("activity__school",)

    class Meta(PhotoBase.Meta):
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class KindergartenSummary(models.Model):
    """A kindergarten's written summary at the end of a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("宣传活动")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="campaign_summaries", verbose_name=_("幼儿园")
    )
    text = models.TextField(_("总结"), validators=[validate_free_text])
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("幼儿园活动总结")
        verbose_name_plural = _("幼儿园活动总结")
        ordering = ["campaign", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school"],
                name="summary_unique_per_school",
                violation_error_message=_("该幼儿园已提交本次活动总结。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.school.name} · {self.campaign.name}"
