"""The latest snapshot of each other department's list (扶贫, 民政, 残联).

One `ExternalListImport` per file imported (who, when, how many rows, how many
differences were applied) and its rows in one lean table shared by the three
lists: a county's 扶贫 registry is about 400,000 people, so a snapshot keeps
only what the comparison reads, and a new import of a list replaces the rows
of its previous one (the import records stay, as the audit of who imported what).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalSource(models.TextChoices):
    """Which department's list (来源)."""

    POVERTY = "poverty", _("乡村振兴部门建档立卡名单")
    CIVIL = "civil", _("民政低保特困名单")
    DISABILITY = "disability", _("残联残疾人名单")


class ExternalListImport(models.Model):
    """One import of an external list; the latest of a source holds that source's snapshot."""

    source = models.CharField(_("来源"), max_length=12, choices=ExternalSource.choices)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    applied_count = models.PositiveIntegerField(_("已应用差异数"), default=0)

    class Meta:
        verbose_name = _("外部名单导入")
        verbose_name_plural = _("外部名单导入")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.imported_at:%Y-%m-%d %H:%M}"


class ExternalListRow(models.Model):
    """One person on an external list, as the list says (names are not registry keys)."""

    list_import = models.ForeignKey(
        ExternalListImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("导入")
    )
    row_number = models.PositiveIntegerField(_("Excel 行号"))
    township = models.CharField(_("乡镇"), max_length=30, blank=True)
    village = models.CharField(_("村"), max_length=30, blank=True)
    household_code = models.CharField(_("户编号"), max_length=30, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=30, blank=True)
    name = models.CharField(_("姓名"), max_length=30)
    id_number = models.CharField(_("身份证号"), max_length=18)
    relation = models.CharField(_("与户主关系"), max_length=16, blank=True)
    # 建档立卡 / 低保 / 特困 (a `HouseholdCategory` code), or blank for the disability list.
    category = models.CharField(_("类别"), max_length=12, blank=True)
    status = models.CharField(_("脱贫状态"), max_length=12, blank=True)
    year_lifted = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    start_date = models.DateField(_("起始日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    certificate = models.CharField(_("残疾证号"), max_length=30, blank=True)
    disability_kind = models.CharField(_("残疾类别"), max_length=8, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)

    class Meta:
        verbose_name = _("外部名单人员")
        verbose_name_plural = _("外部名单人员")
        # Rows are read whole per import, in sheet order; no other index is needed.
        indexes = [models.Index(fields=["list_import", "row_number"])]

    def __str__(self) -> str:
        return self.name
