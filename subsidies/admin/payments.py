"""Receiving accounts in the admin: edited here, the account number masked for those who may not see it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidsite.lib.idcard import mask_account
from aidsite.scoped_admin import ScopedModelAdmin
from subsidies.models import PaymentAccount


@admin.register(PaymentAccount)
class PaymentAccountAdmin(ScopedModelAdmin):
    """收款账户: the account a student's aid goes to; kept masked for those who may not see it."""

    list_display = ("student", "method", "masked_account", "bank_name", "holder_name", "updated_at")
    list_filter = ("method",)
    list_select_related = ("student",)
    search_fields = ("student__name", "holder_name")
    autocomplete_fields = ("student",)
    personal_fields = {"account_number": "masked_account"}

    @admin.display(description=_("收款账号"))
    def masked_account(self, obj: PaymentAccount) -> str:
        return mask_account(obj.account_number)
