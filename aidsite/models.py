"""Who may see what (staff scope) and the record of every access to personal data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles of DOMAIN.md; each is also a permission group of the same label."""

    COUNTY_ADMIN = "county_admin", _("县资助中心管理员")
    TOWNSHIP_STAFF = "township_staff", _("镇（街）教办工作人员")
    DIRECTOR = "director", _("园长/校长")
    AUDITOR = "auditor", _("审计/督导")


class StaffProfile(models.Model):
    """A user's role and the township or school that bounds what they see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    township = models.ForeignKey(
        settings.AID_TOWNSHIP_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属乡镇"),
    )
    school = models.ForeignKey(
        settings.AID_SCHOOL_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属学校"),
    )

    class Meta:
        verbose_name = _("工作人员权限范围")
        verbose_name_plural = _("工作人员权限范围")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="township_staff", township__isnull=False, school__isnull=True)
                    | models.Q(role="director", school__isnull=False)
                    | models.Q(
                        role__in=["county_admin", "auditor"],
                        township__isnull=True,
                        school__isnull=True,
                    )
                ),
                name="staff_profile_scope_matches_role",
                violation_error_message=_(
                    "镇教办人员须指定乡镇，园长/校长须指定学校，县管理员和审计不指定范围。"
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == Role.TOWNSHIP_STAFF and not self.township_id:
            raise ValidationError({"township": _("镇教办人员须指定乡镇。")})
        if self.role == Role.DIRECTOR and not self.school_id:
            raise ValidationError({"school": _("园长/校长须指定学校。")})


class AccessAction(models.TextChoices):
    REVEAL = "reveal", _("查看完整个人信息")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载文件")
    PRINT = "print", _("打印报表")
    IMPORT = "import", _("导入")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("访问日志只能追加，不能修改。")

    def delete(self):  # type: ignore[no-untyped-def]
        raise PermissionError("访问日志只能追加，不能删除。")


class AccessLog(models.Model):
    """Append-only: every reveal of full personal data and every bulk export (SECURITY D2)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    action = models.CharField(_("操作"), max_length=12, choices=AccessAction.choices)
    what = models.CharField(_("对象"), max_length=200)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = _("个人信息访问日志")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.what}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise PermissionError("访问日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("访问日志只能追加，不能删除。")


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


class ExportJob(models.Model):
    """One user's background export or print job and the file it produced.

    The file lives under MEDIA_ROOT/exports with a random name and is deleted
    when the job expires; only the owner may download it, and each download
    is written to the access log.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    file_path = models.CharField(_("文件"), max_length=200, blank=True)
    download_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    error = models.CharField(_("错误信息"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="export_job_progress_at_most_100",
                violation_error_message=_("进度不能超过100。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)
