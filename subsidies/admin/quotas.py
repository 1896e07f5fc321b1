"""The county allocates quota places (名额分配) per school, policy and term here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aidsite.scoped_admin import ScopedHistoryAdmin
from subsidies.models import QuotaAllocation
from subsidies.selectors import term_summary


@admin.register(QuotaAllocation)
class QuotaAllocationAdmin(ScopedHistoryAdmin):
    list_display = ("school", "policy_name", "term", "places", "reason", "updated_by", "updated_at")
    list_filter = ("term", "policy")
    list_select_related = ("school", "policy", "term__school_year", "updated_by")
    search_fields = ("school__name", "policy__name")
    fields = ("term", "policy", "school", "places", "default_places", "reason")
    readonly_fields = ("default_places",)

    @admin.display(description=_("资助项目"), ordering="policy__order")
    def policy_name(self, obj: QuotaAllocation) -> str:
        return obj.policy.name

    @admin.display(description=_("按比例默认名额"))
    def default_places(self, obj: QuotaAllocation | None) -> str:
        """`round(ratio × base)` for the school, as the summary computes it, beside the allocation."""
        if obj is None or obj.pk is None or obj.policy.quota_ratio is None:
            return "保存后显示：按资助面比例与本校在校人数计算，四舍五入。"
        rows = term_summary(term=obj.term, township=obj.school.township, policy_code=obj.policy.code)
        row = next((r for r in rows if r.school_id == obj.school_id), None)
        if row is None or row.default_quota is None:
            return "本学期该学校没有此项目的适用学生。"
        ratio = f"{(obj.policy.quota_ratio * 100).normalize():f}%"
        return f"{row.default_quota} 人（{row.quota_base_count} 人 × {ratio}，四舍五入）"

    def save_model(self, request: HttpRequest, obj: QuotaAllocation, form: Any, change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
