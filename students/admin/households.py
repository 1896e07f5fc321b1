"""Households: their hardship categories and children; phones masked in the list."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidsite.lib.idcard import mask_phone
from aidsite.scoped_admin import ReadOnlyTabularInline, ScopedHistoryAdmin, ScopedTabularInline
from students.admin.search import PersonalSearchMixin
from students.models import Household, HouseholdHardship, Student


class HouseholdHardshipInline(ScopedTabularInline):
    model = HouseholdHardship
    extra = 0
    fields = ("category", "year_registered", "status", "year_lifted")


class HouseholdStudentInline(ReadOnlyTabularInline):
    model = Student
    fields = ("name", "id_number_masked", "sex", "birth_date")
    readonly_fields = fields
    verbose_name = _("家庭子女")
    verbose_name_plural = _("家庭子女")

    @admin.display(description=_("身份证号"))
    def id_number_masked(self, obj: Student) -> str:
        return obj.masked_id_number


@admin.register(Household)
class HouseholdAdmin(PersonalSearchMixin, ScopedHistoryAdmin):
    list_display = ("head_name", "village", "township_name", "masked_phone", "categories")
    list_filter = (
        "village__township", "village", "village__is_poor_village", "hardships__category",
        "hardships__status",
    )  # fmt: skip
    list_select_related = ("village__township",)
    search_fields = ("head_name", "village__name")
    personal_search = {"phone": "phone"}
    personal_fields = {"phone": "masked_phone"}
    fields = ("village", "head_name", "address", "phone")
    autocomplete_fields = ("village",)
    inlines = (HouseholdHardshipInline, HouseholdStudentInline)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("hardships")

    @admin.display(description=_("乡镇"), ordering="village__township__name")
    def township_name(self, obj: Household) -> str:
        return obj.village.township.name

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Household) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("家庭类别"))
    def categories(self, obj: Household) -> str:
        return "、".join(str(h.get_category_display()) for h in obj.hardships.all())
