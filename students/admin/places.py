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
    list_display = ("name", "start_year", "compulsory_ages", "preschool_ages", "age_cutoff")
    search_fields = ("name",)
    inlines = (TermInline,)
    fieldsets = (
        (None, {"fields": ("name", "start_year")}),
        (
            _("控辍保学年龄"),
            {
                "fields": (
                    ("compulsory_age_from", "compulsory_age_to"),
                    ("preschool_age_from", "preschool_age_to"),
                    "age_cutoff",
                ),
                "description": _("按截止日的周岁计算：义务教育年龄段内无在读学籍的列为疑似失学辍学，学前年龄段内的列为适龄未入园。"),
            },
        ),
    )

    @admin.display(description=_("义务教育年龄"))
    def compulsory_ages(self, obj: SchoolYear) -> str:
        return f"{obj.compulsory_age_from}–{obj.compulsory_age_to} 岁"

    @admin.display(description=_("学前教育年龄"))
    def preschool_ages(self, obj: SchoolYear) -> str:
        return f"{obj.preschool_age_from}–{obj.preschool_age_to} 岁"


@admin.register(Term)
class TermAdmin(ScopedModelAdmin):
    list_display = ("__str__", "season", "start_date", "end_date")
    list_filter = ("school_year", "season")
    list_select_related = ("school_year",)
