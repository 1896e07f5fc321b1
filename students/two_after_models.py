"""两后生: the county vocational school's offer (绿色通道) to a 特困 student who finished
初中 or 普通高中 and did not go on, and its outcome.

Defined apart from `students.models` (which re-exports them), like the 控辍保学 cases;
the relations name their targets by label, so this module imports no model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_free_text


class OfferOutcome(models.TextChoices):
    """What came of the offer (the closed list of issue 14)."""

    PENDING = "pending", _("待答复")
    ENROLLED = "enrolled", _("已报名入学")
    DECLINED = "declined", _("不愿就读")
    UNREACHABLE = "unreachable", _("联系不上")
    OTHER = "other", _("其他")


# The stages whose end makes a 两后生 (初、高中毕业): codes of `students.models.Stage`.
FINISHING_STAGES = ("junior", "high")


class TwoAfterOffer(models.Model):
    """The vocational school's free-enrolment offer to one 两后生, for the year they finished.

    One per student and year; changed in place as the answer comes (its history keeps
    every state, who recorded it and when).
    """

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="two_after_offers",
        verbose_name=_("学生"),
    )
    school_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("毕业学年"),
    )
    stage = models.CharField(
        _("毕业学段"),
        max_length=12,
        choices=[("junior", _("初中")), ("high", _("普通高中"))],
    )
    finished_school = models.ForeignKey(
        "students.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("毕业学校"),
    )
    vocational_school = models.ForeignKey(
        "students.School",
        on_delete=models.PROTECT,
        related_name="two_after_offers",
        verbose_name=_("职业学校"),
    )
    offered_on = models.DateField(_("告知日期"))
    outcome = models.CharField(
        _("结果"), max_length=12, choices=OfferOutcome.choices, default=OfferOutcome.PENDING
    )
    note = models.TextField(_("说明"), max_length=500, blank=True, validators=[validate_free_text])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    history = HistoricalRecords()

    # Township staff reach a 两后生 through the household's village or the school they left.
    scope_township_paths = ("student__household__village__township", "finished_school__township")
    scope_school_paths = ()

    class Meta:
        verbose_name = _("两后生职业教育告知")
        verbose_name_plural = _("两后生职业教育告知")
        ordering = ["-school_year__start_year", "student__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"],
                name="two_after_offer_unique_per_year",
                violation_error_message=_("该学生本学年已有职业学校告知记录。"),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=FINISHING_STAGES),
                name="two_after_offer_finishing_stage",
                violation_error_message=_("毕业学段只能是初中或普通高中。"),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=OfferOutcome.OTHER) | ~Q(note=""),
                name="two_after_offer_other_has_note",
                violation_error_message=_("结果为“其他”时须填写说明。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.school_year.name}学年"
