"""The county edits aid policies here, with their tiers, stage amounts, daily rates and category rules."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidsite.scoped_admin import ScopedModelAdmin, ScopedTabularInline
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
class PolicyAdmin(ScopedModelAdmin):
    list_display = ("code", "name", "school_year", "level", "kind", "average_standard", "quota_ratio", "floor_ratio", "by_application")
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
    )
