"""The county edits policies here; entitlements, overrides and approvals are shown, not edited.

Entitlements change only through the services in `subsidies.services.entitlements`
(compute, override, approve), which the workflow views call.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidsite.masked_admin import MaskedFreeTextAdminMixin
from aidsite.scoped_admin import ReadOnlyAdminMixin, ScopedModelAdmin, ScopedTabularInline
from subsidies.models import (
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    Policy,
    PolicyCategory,
    PolicyDailyRate,
    PolicyStageAmount,
    PolicyTier,
)


class PolicyTierInline(ScopedTabularInline):
    model = PolicyTier
    extra = 0


class PolicyStageAmountInline(ScopedTabularInline):
    model = PolicyStageAmount
    extra = 0


class PolicyDailyRateInline(ScopedTabularInline):
    model = PolicyDailyRate
    extra = 0


class PolicyCategoryInline(ScopedTabularInline):
    model = PolicyCategory
    extra = 0


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
            {"fields": ("quota_ratio", "quota_base", "floor_ratio", "floor_base", "floor_category", "poor_village_full_coverage", "lifted_households_count")},
        ),
    )


class _ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Changed only through the services: the admin lists and shows."""


@admin.register(Entitlement)
class EntitlementAdmin(_ReadOnlyAdmin):
    list_display = ("student_name", "masked_id_number", "school", "policy", "term", "tier", "amount", "status")
    list_filter = ("term", "policy__code", "status", "tier", "has_conflict")
    list_select_related = ("student", "enrollment__school", "policy__school_year", "term__school_year")
    search_fields = ("student__name", "enrollment__school__name")
    readonly_fields = ("reason_text",)
    exclude = ("reasons",)

    @admin.display(description=_("姓名"), ordering="student__name")
    def student_name(self, obj: Entitlement) -> str:
        return obj.student.name

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj: Entitlement) -> str:
        return obj.student.masked_id_number

    @admin.display(description=_("学校"), ordering="enrollment__school__name")
    def school(self, obj: Entitlement) -> str:
        return obj.enrollment.school.name


@admin.register(EntitlementOverride)
class EntitlementOverrideAdmin(MaskedFreeTextAdminMixin, _ReadOnlyAdmin):
    masked_text_fields = ("reason",)
    list_display = ("student", "policy", "term", "action", "tier", "reason", "created_by", "created_at")
    list_filter = ("term", "action")
    list_select_related = ("student", "policy__school_year", "term__school_year", "created_by")
    search_fields = ("student__name", "reason")


@admin.register(EntitlementApproval)
class EntitlementApprovalAdmin(_ReadOnlyAdmin):
    list_display = ("township", "term", "policy_codes", "entitlement_count", "total_amount", "approved_by", "approved_at")
    list_filter = ("term", "township")
    list_select_related = ("township", "term__school_year", "approved_by")
from subsidies.admin import ledgers  # noqa: E402,F401
