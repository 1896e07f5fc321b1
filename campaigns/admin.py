"""Back office of the campaigns app: set up campaigns and mentoring pairs, read the rest.

Visits, cards, activities and summaries are entered in the directors' portal, where
the services check them; here they are read-only lists with links to the portal.
Every admin mixes in `ScopedAdminMixin` (row-level scope, SECURITY A4).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aidsite.masked_admin import MaskedFreeTextAdminMixin, MaskedFreeTextInlineMixin
from aidsite.scoped_admin import ReadOnlyAdminMixin as BaseReadOnlyAdminMixin
from aidsite.scoped_admin import ScopedAdminMixin, ScopedModelAdmin, ScopedTabularInline
from campaigns.models import (
    Activity,
    ActivityPhoto,
    Campaign,
    CampaignMember,
    CampaignPhase,
    HomeVisit,
    KindergartenSummary,
    Mentoring,
    MentoringContact,
    PolicyCard,
    VisitPhoto,
)
from campaigns.visits import VISIT_FREE_TEXT


class ReadOnlyAdminMixin(BaseReadOnlyAdminMixin):
    """Entered through the portal's services; the admin lists, shows and may delete."""

    read_only_deletable = True


class CampaignPhaseInline(MaskedFreeTextInlineMixin, ScopedTabularInline):
    masked_text_fields = ("tasks",)
    model = CampaignPhase
    extra = 0
    min_num = 0
    fields = ["kind", "start_date", "end_date", "tasks"]


class CampaignMemberInline(ScopedTabularInline):
    model = CampaignMember
    extra = 0
    fields = ["role", "name", "position"]


@admin.register(Campaign)
class CampaignAdmin(MaskedFreeTextAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("plan_text",)
    list_display = ["name", "township", "school_year", "school_count", "portal_link"]
    list_filter = ["school_year", "township"]
    list_select_related = ["township", "school_year"]
    search_fields = ["name"]
    filter_horizontal = ["schools"]
    inlines = [CampaignPhaseInline, CampaignMemberInline]
    fields = ["name", "township", "school_year", "schools", "plan_text", "plan_document"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(n_schools=Count("schools"))

    @admin.display(description=_("参加幼儿园"), ordering="n_schools")
    def school_count(self, obj: Campaign) -> int:
        return obj.n_schools  # type: ignore[attr-defined]

    @admin.display(description=_("进度"))
    def portal_link(self, obj: Campaign) -> str:
        return format_html('<a href="{}">查看进度</a>', reverse("campaigns:campaign", args=[obj.pk]))


class PhotoInline(ReadOnlyAdminMixin, ScopedTabularInline):
    """A record's photos, listed by upload time (the images open in the portal)."""

    extra = 0
    fields = ["uploaded_at"]
    readonly_fields = ["uploaded_at"]


class ActivityPhotoInline(PhotoInline):
    model = ActivityPhoto


@admin.register(Activity)
class ActivityAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    # The history shows every correction a kindergarten made in the portal (campaigns.corrections).
    masked_text_fields = ("audience", "notes")
    list_display = ["date", "school", "campaign", "phase", "channel", "audience", "reach"]
    list_filter = ["campaign", "phase", "channel", "school"]
    list_select_related = ["school", "campaign"]
    search_fields = ["school__name", "audience", "notes"]
    date_hierarchy = "date"
    inlines = [ActivityPhotoInline]


@admin.register(KindergartenSummary)
class KindergartenSummaryAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("text",)
    list_display = ["school", "campaign", "updated_at"]
    list_filter = ["campaign"]
    list_select_related = ["school", "campaign"]
    search_fields = ["school__name", "text"]


@admin.register(PolicyCard)
class PolicyCardAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "household",
        "school",
        "school_year",
        "printed_on",
        "handed_out_on",
        "checked_on",
        "signed_on",
    ]
    list_filter = ["school_year", "school"]
    list_select_related = ["household__village", "school", "school_year"]
    search_fields = ["household__head_name", "school__name"]


class VisitPhotoInline(PhotoInline):
    model = VisitPhoto


@admin.register(HomeVisit)
class HomeVisitAdmin(MaskedFreeTextAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    masked_text_fields = VISIT_FREE_TEXT
    list_display = ["visited_at", "school", "household", "led_by", "follow_up_needed", "follow_up_done", "portal_link"]
    list_filter = ["school", "follow_up_needed", "follow_up_done"]
    list_select_related = ["school", "household__village"]
    search_fields = ["household__head_name", "children__name", "led_by"]
    date_hierarchy = "visited_at"
    inlines = [VisitPhotoInline]

    @admin.display(description=_("走访记录"))
    def portal_link(self, obj: HomeVisit) -> str:
        return format_html('<a href="{}">查看</a>', reverse("campaigns:visit", args=[obj.pk]))


class MentoringContactInline(MaskedFreeTextInlineMixin, ScopedTabularInline):
    masked_text_fields = ("teacher", "content", "outcome")
    model = MentoringContact
    extra = 1
    fields = ["date", "teacher", "mode", "content", "outcome"]


@admin.register(Mentoring)
class MentoringAdmin(MaskedFreeTextAdminMixin, ScopedModelAdmin):
    masked_text_fields = ("teachers", "notes")
    list_display = ["student", "school", "teachers", "focus", "started_on", "ended_on"]
    list_filter = ["focus", "school"]
    list_select_related = ["student", "school"]
    search_fields = ["student__name", "teachers"]
    autocomplete_fields = ["student"]
    inlines = [MentoringContactInline]
