"""The county enters its funding quotas (资金指标) here; township staff see their own, auditors all."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aidsite.admin_columns import money_column
from aidsite.scoped_admin import ScopedHistoryAdmin
from subsidies.forms.funds import FundAllotmentAdminForm
from subsidies.models import FundAllotment


@admin.register(FundAllotment)
class FundAllotmentAdmin(ScopedHistoryAdmin):
    form = FundAllotmentAdminForm
    list_display = (
        "document_number", "term", "policy_name", "place", money_column("amount", _("指标金额（元）")),
        "issued_on", "carried",
    )  # fmt: skip
    list_filter = ("term", "policy")
    list_select_related = ("term__school_year", "policy", "township", "school__township", "carried_from")
    search_fields = ("document_number", "township__name", "school__name", "policy__name")

    @admin.display(description=_("资助项目"), ordering="policy__order")
    def policy_name(self, obj: FundAllotment) -> str:
        return obj.policy.name

    @admin.display(description=_("下达到"))
    def place(self, obj: FundAllotment) -> str:
        if obj.school_id:
            return f"{obj.school.name}（{obj.school.township.name}，专项）"
        return f"{obj.township.name}（乡镇统筹）"

    @admin.display(description=_("结转自"))
    def carried(self, obj: FundAllotment) -> str:
        return obj.carried_from.document_number if obj.carried_from_id else ""

    def save_model(self, request: HttpRequest, obj: FundAllotment, form: Any, change: bool) -> None:
        if not change:
            obj.entered_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
