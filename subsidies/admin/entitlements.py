"""Entitlements, overrides and approvals are shown here, not edited.

They change only through the services in `subsidies.services.entitlements`
(compute, override, approve), which the workflow views call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aidsite.admin_columns import TierFilter, money_column, tier_column
from aidsite.masked_admin import MaskedFreeTextAdminMixin
from aidsite.scoped_admin import ReadOnlyAdminMixin, ScopedModelAdmin
from subsidies.models import Entitlement, EntitlementApproval, EntitlementOverride


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    # Short cells that fit 1366 px: the policy by name, the term as 学年+季, money formatted.
    list_display = (
        "student_name", "masked_id_number", "school", "grade_class", "policy_name", "term_short",
        tier_column(_("档次")), money_column("amount", _("金额（元）")), "status",
    )  # fmt: skip
    list_filter = ("term", "policy", "status", TierFilter, "has_conflict")
    list_select_related = ("student", "enrollment__school", "policy__school_year", "term__school_year")
    list_per_page = 50
    search_fields = ("student__name", "enrollment__school__name")
    readonly_fields = ("reasons_shown",)
    exclude = ("reasons",)

    @admin.display(description=_("测算依据"))
    def reasons_shown(self, obj: Entitlement) -> str:
        return obj.reason_text

    @admin.display(description=_("姓名"), ordering="student__name")
    def student_name(self, obj: Entitlement) -> str:
        return obj.student.name

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj: Entitlement) -> str:
        return obj.student.masked_id_number

    @admin.display(description=_("资助项目"), ordering="policy__name")
    def policy_name(self, obj: Entitlement) -> str:
        return obj.policy.name

    @admin.display(description=_("学校"), ordering="enrollment__school__name")
    def school(self, obj: Entitlement) -> str:
        return obj.enrollment.school.name

    @admin.display(description=_("年级班级"))
    def grade_class(self, obj: Entitlement) -> str:
        return f"{obj.enrollment.grade}{obj.enrollment.class_name}"

    @admin.display(description=_("学期"), ordering="term__start_date")
    def term_short(self, obj: Entitlement) -> str:
        return f"{obj.term.school_year.name}{str(obj.term.get_season_display())[:2]}"



@admin.register(EntitlementOverride)
class EntitlementOverrideAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("reason",)
    list_display = (
        "student",
        "policy",
        "term",
        "action",
        tier_column(_("档次")),
        "reason",
        "created_by",
        "created_at",
    )
    list_filter = ("term", "action")
    list_select_related = ("student", "policy__school_year", "term__school_year", "created_by")
    search_fields = ("student__name", "reason")


@admin.register(EntitlementApproval)
class EntitlementApprovalAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = (
        "township", "term", "policies", "entitlement_count", money_column("total_amount", _("金额合计（元）")),
        "approved_by", "approved_at",
    )  # fmt: skip
    list_filter = ("term", "township")
    list_select_related = ("township", "term__school_year", "approved_by")
    # The record stores the codes it approved; people read the policies' names.
    exclude = ("policy_codes",)
    readonly_fields = ("policies",)

    @admin.display(description=_("资助项目"))
    def policies(self, obj: EntitlementApproval) -> str:
        return obj.policy_names

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        EntitlementApproval.attach_policy_names(list(changelist.result_list))
        return changelist
