"""Townships, villages, schools, school years and terms: the places and calendar of the registry."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from aidsite.scoped_admin import ScopedModelAdmin, ScopedTabularInline
from students.admin.roster_import import RosterImportAdminMixin
from students.admin.stages import StagesAdminMixin
from students.models import School, SchoolYear, Term, Township, Village


@admin.register(Township)
class TownshipAdmin(ScopedModelAdmin):
    list_display = ("name", "village_count", "school_count")
    search_fields = ("name",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .annotate(
                village_total=Count("villages", distinct=True),
                school_total=Count("schools", distinct=True),
            )
        )

    @admin.display(description=_("村（社区）数"), ordering="village_total")
    def village_count(self, obj: Township) -> int:
        return obj.village_total  # type: ignore[attr-defined]

    @admin.display(description=_("学校数"), ordering="school_total")
    def school_count(self, obj: Township) -> int:
        return obj.school_total  # type: ignore[attr-defined]


@admin.register(Village)
class VillageAdmin(RosterImportAdminMixin, ScopedModelAdmin):
    import_kind = "villages"
    list_display = ("name", "township", "is_poor_village")
    list_filter = ("township", "is_poor_village")
    list_select_related = ("township",)
    search_fields = ("name", "township__name")


@admin.register(School)
class SchoolAdmin(StagesAdminMixin, RosterImportAdminMixin, ScopedModelAdmin):
    import_kind = "schools"
    list_display = (
        "name", "township", "village", "get_stages_display", "ownership", "is_inclusive",
        "is_county_approved", "is_rural", "is_boarding", "tuition",
    )  # fmt: skip
    list_filter = ("township", "village", "ownership", "is_rural", "is_boarding", "is_inclusive")
    list_select_related = ("township", "village__township")
    search_fields = ("name",)


class TermInline(ScopedTabularInline):
    model = Term
    extra = 0
    fields = ("season", "start_date", "end_date")


@admin.register(SchoolYear)
class SchoolYearAdmin(ScopedModelAdmin):
    list_display = ("name", "start_year")
    search_fields = ("name",)
    inlines = (TermInline,)


@admin.register(Term)
class TermAdmin(ScopedModelAdmin):
    list_display = ("__str__", "season", "start_date", "end_date")
    list_filter = ("school_year", "season")
    list_select_related = ("school_year",)
