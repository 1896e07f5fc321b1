"""Publicity campaigns, policy cards (明白卡), home visits (走访) and mentoring (一对一爱心育才).

This app reads the registry; nothing in `students` imports it. Every model names how
it reaches a township and a school (`scope_township_paths`, `scope_school_paths`) so
that `aidsite.access.scope_queryset` bounds every list, page, export and PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from campaigns.photos import (
    document_upload_to,
    photo_upload_to,
    validate_photo,
    validate_plan_document,
)
from students.models import Household, School, SchoolYear, Student, Township


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


class PhotoBase(models.Model):
    """A checked, randomly named photo attached to one record (an activity or a home visit).

    A subclass adds the foreign key to its record, names it in `record_field`
    and says how the record reaches a township and a school (the scope paths).
    """

    image = models.ImageField(_("照片"), upload_to=photo_upload_to, validators=[validate_photo])
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    record_field: str

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.record_field)} 照片"


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


class CardStep(models.TextChoices):
    """The steps of a policy card, in order."""

    PRINTED = "printed", _("已打印")
    HANDED_OUT = "handed_out", _("已发放")
    CHECKED = "checked", _("班主任已核对")
    SIGNED = "signed", _("家长已签字")


class PolicyCard(models.Model):
    """A family's policy card (扶贫工作摸底明白卡) for one school year at one kindergarten.

    Each step has a date and who did it; a later step needs the earlier ones, which
    the database also enforces.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="policy_cards", verbose_name=_("家庭")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("学年")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="policy_cards", verbose_name=_("幼儿园")
    )
    printed_on = models.DateField(_("打印日期"), null=True, blank=True)
    printed_by = models.CharField(_("打印人"), max_length=30, blank=True, validators=[validate_name])
    handed_out_on = models.DateField(_("发放日期"), null=True, blank=True)
    handed_out_by = models.CharField(_("发放人"), max_length=30, blank=True, validators=[validate_name])
    checked_on = models.DateField(_("核对日期"), null=True, blank=True)
    checked_by = models.CharField(_("核对班主任"), max_length=30, blank=True, validators=[validate_name])
    signed_on = models.DateField(_("签字日期"), null=True, blank=True)
    signed_by = models.CharField(_("签字家长"), max_length=30, blank=True, validators=[validate_name])

    history = HistoricalRecords()

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("明白卡")
        verbose_name_plural = _("明白卡")
        ordering = ["school__name", "household__head_name"]
        permissions = [("export_policycard", _("可导出明白卡"))]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "school_year", "school"],
                name="policy_card_unique_per_family_year_school",
                violation_error_message=_("该家庭本学年在此幼儿园已有明白卡。"),
            ),
            models.CheckConstraint(
                condition=(
                    (models.Q(handed_out_on__isnull=True) | models.Q(printed_on__isnull=False))
                    & (models.Q(checked_on__isnull=True) | models.Q(handed_out_on__isnull=False))
                    & (models.Q(signed_on__isnull=True) | models.Q(checked_on__isnull=False))
                ),
                name="policy_card_steps_in_order",
                violation_error_message=_("明白卡须依次打印、发放、核对、签字。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户明白卡（{self.school_year.name}）"

    def step_done(self, step: str) -> bool:
        return getattr(self, f"{step}_on") is not None

    @property
    def last_step(self) -> str | None:
        done = [s for s in CardStep.values if self.step_done(s)]
        return done[-1] if done else None


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
