"""Social donors in the admin: donors and pledges are edited here; pairings are listed and shown
(they are made by the pairing page, which checks each shape, `subsidies.views.donors`)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aidsite.scoped_admin import ReadOnlyAdminMixin, ReadOnlyTabularInline, ScopedHistoryAdmin
from subsidies.models import Donor, Pairing, PairingDonor, PairingStudent, Pledge


@admin.register(Donor)
class DonorAdmin(ScopedHistoryAdmin):
    list_display = ("name", "kind", "township", "contact_name", "masked_phone")
    list_filter = ("kind", "township")
    list_select_related = ("township",)
    search_fields = ("name", "contact_name")
    fields = ("township", "name", "kind", "contact_name", "phone", "address", "note")
    personal_fields = {"phone": "masked_phone", "address": "masked_address"}

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Donor) -> str:
        return obj.masked_phone

    @admin.display(description=_("地址"))
    def masked_address(self, obj: Donor) -> str:
        return obj.address[:3] + "……" if obj.address else ""


@admin.register(Pledge)
class PledgeAdmin(ScopedHistoryAdmin):
    list_display = ("donor", "amount", "from_year", "to_year", "purpose", "pledged_on")
    list_filter = ("from_year",)
    list_select_related = ("donor", "from_year", "to_year")
    search_fields = ("donor__name", "purpose")
    fields = ("donor", "amount", "from_year", "to_year", "purpose", "pledged_on")


class PairingDonorInline(ReadOnlyTabularInline):
    model = PairingDonor
    fields = ("donor", "share")
    readonly_fields = fields


class PairingStudentInline(ReadOnlyTabularInline):
    model = PairingStudent
    fields = ("student", "school")
    readonly_fields = fields


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = (
        "__str__",
        "shape",
        "township",
        "donor_names",
        "student_count",
        "from_year",
        "to_year",
        "amount",
    )
    list_filter = ("shape", "township", "from_year")
    list_select_related = ("township", "from_year", "to_year")
    search_fields = ("donors__donor__name", "students__student__name")
    fields = (
        "township",
        "shape",
        "from_year",
        "to_year",
        "amount",
        "pledge",
        "note",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (PairingDonorInline, PairingStudentInline)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("donors__donor", "students")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The "add" button leads to the pairing page, which checks the shape.
        return request.user.has_perm("subsidies.add_pairing")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):  # type: ignore[no-untyped-def]
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("donors:pairing_new"))

    @admin.display(description=_("资助方"))
    def donor_names(self, obj: Pairing) -> str:
        return "、".join(pd.donor.name for pd in obj.donors.all())

    @admin.display(description=_("受助学生（人）"))
    def student_count(self, obj: Pairing) -> int:
        return len(obj.students.all())
