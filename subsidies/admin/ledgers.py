"""The ledgers in the admin: read-only lists that link to the ledger pages.

Batches, entries, reversals, bank results and the ledger log are never added,
changed or deleted through the admin, by anyone: the ledger pages call the
services (prepare, approve, reverse, bank results), and approved rows are
frozen in the database as well.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aidsite.admin_columns import money_column
from aidsite.lib.idcard import mask_account
from aidsite.masked_admin import MaskedFreeTextAdminMixin
from aidsite.scoped_admin import ReadOnlyAdminMixin, ScopedModelAdmin
from subsidies.models import (
    BankResult,
    DisbursementBatch,
    LedgerEntry,
    LedgerLog,
    Reversal,
)


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("note",)
    list_display = (
        "__str__",
        "status",
        "entry_count",
        money_column("total_amount", _("金额合计（元）")),
        "prepared_by",
        "approved_by",
        "approved_at",
        "open_link",
    )
    list_filter = ("term", "status", "policy", "township")
    list_select_related = ("township", "policy", "term__school_year", "prepared_by", "approved_by")
    search_fields = ("township__name", "policy__name", "note")

    @admin.display(description=_("操作"))
    def open_link(self, obj: DisbursementBatch) -> str:
        return format_html('<a href="{}">打开</a>', reverse("ledgers:batch", args=[obj.pk]))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        extra_context = {**(extra_context or {}), "subtitle": "编制、审核、冲销、回盘请到“发放台账”页面办理"}
        return super().changelist_view(request, extra_context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = (
        "student",
        "school",
        "policy",
        "term",
        money_column("amount", _("发放金额（元）")),
        "method",
        "account",
        "payment_status",
        "is_live",
        "batch",
    )
    list_filter = ("term", "payment_status", "is_live", "method")
    list_select_related = ("student", "school", "policy__school_year", "term__school_year", "batch__township", "batch__policy", "batch__term__school_year")
    search_fields = ("student__name", "school__name")
    # Lists always show the masked account; the detail page shows it in full only to
    # those who may see it (and logs that view).
    personal_fields = {"account_number": "account"}

    @admin.display(description=_("收款账号"))
    def account(self, obj: LedgerEntry) -> str:
        return mask_account(obj.account_number)


@admin.register(Reversal)
class ReversalAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("reason",)
    list_display = (
        "entry",
        money_column("amount", _("冲销金额（元）")),
        "reason",
        "reissue",
        "reversed_by",
        "reversed_at",
    )
    list_select_related = ("entry__student", "reversed_by")
    search_fields = ("entry__student__name", "reason")


@admin.register(BankResult)
class BankResultAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("reason",)
    list_display = (
        "entry",
        "outcome",
        money_column("amount", _("金额（元）")),
        "reason",
        "file_name",
        "row_number",
        "imported_by",
        "imported_at",
    )
    list_filter = ("outcome",)
    list_select_related = ("entry__student", "imported_by")
    search_fields = ("entry__student__name", "reason", "file_name")


@admin.register(LedgerLog)
class LedgerLogAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("summary",)
    list_display = ("at", "user", "action", "township", "summary")
    list_filter = ("action", "township")
    list_select_related = ("user", "township")
    search_fields = ("summary", "user__username")
    date_hierarchy = "at"
