"""The county edits aid policies here, with their tiers, stage amounts, daily rates and category rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aidsite.lib.money import format_percent, format_yuan
from aidsite.scoped_admin import ScopedModelAdmin, ScopedTabularInline
from aidsite.templatetags.display import code_label
from students.admin.stages import StagesAdminMixin, stages_display
from subsidies.admin.policy_form import RATIO_HELP, percent_formfield
from subsidies.models import (
    Policy,
    PolicyCategory,
    PolicyDailyRate,
    PolicyStageAmount,
    PolicyTier,
)


class _PolicyPartInline(ScopedTabularInline):
    # A policy's parts are few and edited in place: no blank rows offered.
    extra = 0


class PolicyTierInline(_PolicyPartInline):
    model = PolicyTier


class PolicyStageAmountInline(_PolicyPartInline):
    model = PolicyStageAmount


class PolicyDailyRateInline(_PolicyPartInline):
    model = PolicyDailyRate


class PolicyCategoryInline(_PolicyPartInline):
    model = PolicyCategory


@admin.register(Policy)
class PolicyAdmin(StagesAdminMixin, ScopedModelAdmin):
    list_display = ("name_and_code", "school_year", "kind", "standard", "quota", "floor", "by_application")
    list_filter = ("school_year", "level", "kind", "by_application")
    list_select_related = ("school_year",)
    search_fields = ("code", "name")
    ordering = ("-school_year__start_year", "order", "code")
    inlines = [PolicyTierInline, PolicyStageAmountInline, PolicyDailyRateInline, PolicyCategoryInline]
    fieldsets = (
        (None, {"fields": ("school_year", "code", "name", "level", "kind", "stages", "by_application", "order", "description")}),
        (_("适用范围"), {"fields": ("school_rural_only", "school_inclusive_only", "school_ownership", "boarders_only", "study_years")}),
        (_("资助标准"), {"fields": ("annual_amount", "average_standard")}),
        (
            _("名额与比例"),
            {
                "fields": (
                    "quota_ratio", "quota_base", "floor_ratio", "floor_base", "floor_category",
                    "poor_village_full_coverage", "poor_village_in_quota",
                )
            },
        ),
        (_("脱贫过渡期"), {"fields": ("lifted_households_count", "transition_end", "transition_years")}),
        (
            _("申请条件与贷款"),
            {
                "fields": (
                    "applicant_poor_village_only", "applicant_new_entrant_only", "partners",
                    "loan_cap_postgraduate", "loan_max_years", "loan_grace_years", "loan_rate",
                ),
                "description": _("按申请办理的项目（保教费、学费减免，大学生资助，生源地信用助学贷款）的申请人条件；"
                                 "贷款项目的专科、本科每年最高额度填在“年资助标准”。"),
            },
        ),
    )

    # Ratios read as percentages on the read-only page as in the list.
    readable_fields = {
        "code": "code_small", "average_standard": "standard", "quota_ratio": "quota", "floor_ratio": "floor",
        "loan_rate": "loan_rate_percent",
    }  # fmt: skip

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in RATIO_HELP:
            return percent_formfield(db_field, RATIO_HELP[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("适用学段"))
    def stages_names(self, obj: Policy) -> str:
        return stages_display(obj.stages)

    @admin.display(description=_("项目代码"), ordering="code")
    def code_small(self, obj: Policy) -> str:
        return code_label(obj.code)

    @admin.display(description=_("资助项目"), ordering="name")
    def name_and_code(self, obj: Policy) -> str:
        # The name people use; the code below it, small, for whoever checks a workbook.
        return format_html("{}<br>{}", obj.name, code_label(obj.code))

    @admin.display(description=_("平均资助标准（元/年）"), ordering="average_standard")
    def standard(self, obj: Policy) -> str:
        return format_yuan(obj.average_standard)

    @admin.display(description=_("资助面（名额比例）"), ordering="quota_ratio")
    def quota(self, obj: Policy) -> str:
        return format_percent(obj.quota_ratio) or "不限"

    @admin.display(description=_("贷款年利率"))
    def loan_rate_percent(self, obj: Policy) -> str:
        return format_percent(obj.loan_rate) or "—"

    @admin.display(description=_("资助比例下限"), ordering="floor_ratio")
    def floor(self, obj: Policy) -> str:
        return format_percent(obj.floor_ratio) or "—"
