"""Public notices (公示): the list a school posts on its gate before final approval.

The same list is a public web page during the notice period only (SECURITY
D3); `subsidies.services.notices` computes the period's end date.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aidsite.lib.text import validate_free_text, validate_name
from subsidies.models.policies import Policy


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
