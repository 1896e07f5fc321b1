"""The county's allocation of quota places (名额分配) per school, policy and term.

The seed gives an average coverage over the county ("平均资助面为在园幼儿的10%",
"资助比例为在校生的10%"). A school's default places are `round(ratio × its
enrolled)`, rounded half up; the county administrator may set another number
for a school, with the reason, so that a small kindergarten can fund its
特困 child. What is not allocated here keeps the default.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text
from subsidies.models.policies import Policy


class QuotaAllocation(models.Model):
    """名额分配: the places the county gives one school under one policy for one term."""

    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("资助项目")
    )
    term = models.ForeignKey(
        "students.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("学期")
    )
    school = models.ForeignKey(
        "students.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    places = models.PositiveIntegerField(_("分配名额（人）"))
    reason = models.TextField(_("分配理由"), max_length=500, validators=[validate_free_text])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("设置人"),
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    history = HistoricalRecords()

    scope_township_paths = ("school__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("名额分配")
        verbose_name_plural = _("名额分配")
        ordering = ["-term__school_year__start_year", "policy__order", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "term", "school"],
                name="quota_allocation_unique_per_school_policy_term",
                violation_error_message=_("该学校此项目本学期已分配名额，请修改原记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.policy.name} {self.term} 名额 {self.places} 人"

    def clean(self) -> None:
        """The policy has a quota, belongs to the term's year and covers the school's stage."""
        if not (self.policy_id and self.term_id and self.school_id):
            return
        errors = {}
        if self.policy.quota_ratio is None:
            errors["policy"] = _("该资助项目不设名额，无需分配。")
        elif self.policy.school_year_id != self.term.school_year_id:
            errors["term"] = _("该资助项目不属于所选学期的学年。")
        elif not set(self.school.stage_list) & set(self.policy.stage_list):
            errors["school"] = _("该学校的学段不在此资助项目的适用范围内。")
        if not (self.reason or "").strip():
            errors["reason"] = _("请填写分配理由。")
        if errors:
            raise ValidationError(errors)
