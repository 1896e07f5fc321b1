"""Aid by application (按申请办理): fee waivers, college aid and student loans.

An application belongs to a student of the registry, a policy and a school
year, and moves 提交 → 初审 (township) → 审核 (county, another person) →
批准 / 不予批准. Every step is an `ApplicationEvent` with who and when. An
approved grant becomes an approved `Entitlement` (`entitlement`), which the
ledgers, 公示 and exports then treat like computed aid; `compute_aid` never
touches it. An approved loan application opens a `StudentLoan`
(`subsidies.models.loans`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text, validate_name
from aidsite.lib.uploads import ALLOWED_IMAGE_FORMATS, image_format, is_pdf, upload_max_bytes
from subsidies.models.policies import MONEY, Policy


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    CHECKED = "checked", _("初审通过")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")


OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKED)


class DegreeLevel(models.TextChoices):
    """学历层次 of a college student: the loan cap depends on it."""

    ASSOCIATE = "associate", _("专科")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class AidApplication(models.Model):
    """资助申请: one student's application for one policy in one school year (and term)."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="aid_applications", verbose_name=_("申请人")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="applications", verbose_name=_("资助项目")
    )
    # The term it is paid in: the term applied for, or for one-off (college) aid the year's first.
    term = models.ForeignKey("students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期"))
    # The township that handles it: the school's for pupils in the county, the household's for
    # college students (生源地). Lists and every access are scoped by it.
    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理乡镇")
    )
    # The enrollment the aid is paid through: the pupil's own (保教费、学费减免), or for a
    # college student the township's roll of 生源地 college students, made at approval.
    enrollment = models.ForeignKey(
        "students.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aid_applications",
        verbose_name=_("学籍"),
    )
    amount_requested = models.DecimalField(
        _("申请金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    amount_approved = models.DecimalField(
        _("批准金额（元）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    applied_on = models.DateField(_("申请日期"))

    # College students (高等教育): what the policy's rules and the loan amount need.
    college = models.CharField(_("录取院校"), max_length=60, blank=True, validators=[validate_name])
    degree_level = models.CharField(_("学历层次"), max_length=12, blank=True, choices=DegreeLevel.choices)
    entry_year = models.PositiveSmallIntegerField(
        _("入学年份"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    program_years = models.PositiveSmallIntegerField(
        _("学制（年）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    tuition_per_year = models.DecimalField(
        _("学费（元/年）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    accommodation_per_year = models.DecimalField(
        _("住宿费（元/年）"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    partner = models.CharField(_("资助单位"), max_length=30, blank=True, validators=[validate_name])

    # Accepted outside the policy's rules: the staff member's reason, and what the rules said.
    exception_reason = models.CharField(
        _("破格受理理由"), max_length=200, blank=True, validators=[validate_free_text]
    )
    rule_problems = models.JSONField(_("不符合的条件"), default=list, blank=True)

    status = models.CharField(
        _("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("录入人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("初审人"),
    )
    checked_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(
        _("审核意见"), max_length=200, blank=True, validators=[validate_free_text]
    )
    entitlement = models.OneToOneField(
        "subsidies.Entitlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("资助名单记录"),
    )

    history = HistoricalRecords()

    scope_township_paths = ("township",)
    scope_school_paths = ("enrollment__school",)

    class Meta:
        verbose_name = _("资助申请")
        verbose_name_plural = _("资助申请")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("check_aidapplication", _("可初审资助申请")),
            ("decide_aidapplication", _("可审核批准资助申请")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "policy", "term"],
                condition=~models.Q(status="rejected"),
                name="application_once_per_student_policy_term",
                violation_error_message=_("该学生本学期已申请此项目，请勿重复申请。"),
            ),
            # Four-eyes (as for ledgers): the county's reviewer is neither who entered nor who
            # checked the application. NULL (a command's system actor) compares as unknown: allowed.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("submitted_by")) & ~models.Q(decided_by=models.F("checked_by"))),
                name="application_four_eyes",
                violation_error_message=_("审核人不能是本申请的录入人或初审人。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"]) | models.Q(decided_at__isnull=False),
                name="application_decision_recorded",
                violation_error_message=_("已审核的申请须有审核时间。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(decision_reason=""),
                name="application_rejection_has_reason",
                violation_error_message=_("不予批准须写明理由。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_approved__isnull=True) | models.Q(amount_approved__gte=0),
                name="application_amount_not_negative",
                violation_error_message=_("批准金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.policy.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def is_exception(self) -> bool:
        return bool(self.exception_reason)


class ApplicationAction(models.TextChoices):
    SUBMIT = "submit", _("提交")
    CHECK = "check", _("初审通过")
    APPROVE = "approve", _("批准")
    REJECT = "reject", _("不予批准")
    EVIDENCE = "evidence", _("上传材料")


class ApplicationEvent(models.Model):
    """One step of an application: who did what, when, and what they wrote. Append-only."""

    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="events", verbose_name=_("资助申请")
    )
    action = models.CharField(_("操作"), max_length=12, choices=ApplicationAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("操作人"),
    )
    # A command's system actor has no user: its name is kept here.
    actor_name = models.CharField(_("操作人名称"), max_length=60, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_township_paths = ("application__township",)
    scope_school_paths = ("application__enrollment__school",)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.get_action_display()}"


class EvidenceKind(models.TextChoices):
    ADMISSION = "admission", _("录取通知书")
    HARDSHIP = "hardship", _("特困证明")
    RECEIPT = "receipt", _("收费票据")
    OTHER = "other", _("其他材料")


def validate_evidence(file: Any) -> None:
    """Evidence is a photo or scan (JPG/PNG/WebP/GIF) or a PDF, within the photos' size limit."""
    limit = upload_max_bytes()
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("证明材料不能超过 %(mb)s MB。"), code="too_large", params={"mb": limit // (1024 * 1024)}
        )
    if image_format(file) is None and not is_pdf(file):
        raise ValidationError(_("证明材料只能是照片（JPG、PNG、WebP、GIF）或 PDF 文件。"), code="bad_type")


def evidence_upload_to(instance: Any, filename: str) -> str:
    """A random name under applications/ with the extension of what the bytes are."""
    file = getattr(getattr(instance, "file", None), "file", None)
    found = image_format(file) if file is not None else None
    extension = ALLOWED_IMAGE_FORMATS.get(found or "", ".pdf")
    return f"applications/{uuid.uuid4().hex}{extension}"


class ApplicationEvidence(models.Model):
    """证明材料: an uploaded file supporting an application (served only through a scoped view)."""

    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("资助申请")
    )
    kind = models.CharField(_("材料类别"), max_length=12, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, validators=[validate_evidence])
    original_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    scope_township_paths = ("application__township",)
    scope_school_paths = ("application__enrollment__school",)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.original_name}）"
