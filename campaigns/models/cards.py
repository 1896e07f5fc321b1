"""Policy cards (扶贫工作摸底明白卡), one per family, school year and kindergarten."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.text import validate_name
from students.models import Household, School, SchoolYear


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
