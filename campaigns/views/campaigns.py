"""Publicity campaigns in the portal: a kindergarten's activities, the campaigns and their
progress, each kindergarten's summary, and starting the campaign report."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from aidsite.access import scope_queryset, user_scope
from aidsite.export_jobs import export_job_start
from aidsite.models import ExportJob, Role
from campaigns.activities import (
    activity_record,
    activity_undo,
    activity_update,
    campaign_members,
    campaign_progress,
    summary_save,
)
from campaigns.corrections import CORRECTION_RULE, may_correct, require_correction
from campaigns.forms import ActivityForm, SummaryForm
from campaigns.models import Activity, Campaign, KindergartenSummary
from campaigns.report_jobs import CAMPAIGN_REPORT_KIND, campaign_report_title
from campaigns.selectors import ACTIVITY_COUNT_DEFINITION, activity_totals
from campaigns.views.portal import (
    can,
    form_saved,
    portal_object,
    portal_school,
    portal_view,
    render_portal,
)
from students.models import School


@require_safe
@portal_view("view_activity")
def activities(request: HttpRequest, pk: int) -> HttpResponse:
    school = portal_school(request, pk)
    rows = list(
        Activity.objects.filter(school=school)
        .select_related("campaign")
        .annotate(photo_count=Count("photos"))
        .order_by("-date", "-pk")
    )
    can_change = can(request, "change_activity")
    for row in rows:
        row.correctable = can_change and may_correct(
            author_id=row.recorded_by_id, entered_at=row.created_at, actor=request.user
        )
    return render_portal(
        request,
        "portal/activities.html",
        {
            "school": school,
            "activities": rows,
            "can_write": can(request, "add_activity"),
            "correction_rule": CORRECTION_RULE,
            "totals": activity_totals(Activity.objects.filter(school=school))[()],
            "definition": ACTIVITY_COUNT_DEFINITION,
        },
    )


def _school_campaigns(school: School) -> QuerySet[Campaign]:
    return Campaign.objects.filter(schools=school).order_by("-school_year__start_year", "name")


@portal_view("add_activity")
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    school = portal_school(request, pk)
    campaigns = _school_campaigns(school)
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, campaigns=campaigns)
        if form_saved(
            request,
            form,
            lambda data: activity_record(school=school, actor=request.user, **data),
            success="宣传活动已记录。",
        ):
            return redirect("campaigns:activities", pk=school.pk)
    else:
        campaign = campaigns.first()
        today = timezone.localdate()
        phase = None
        if campaign is not None:
            phase = campaign.phases.filter(start_date__lte=today, end_date__gte=today).first()
        form = ActivityForm(
            campaigns=campaigns,
            initial={"date": today, "phase": phase.kind if phase else None, "campaign": campaign},
        )
    return render_portal(
        request,
        "portal/activity_form.html",
        {"form": form, "school": school, "has_campaigns": campaigns.exists()},
    )


@portal_view("change_activity")
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an activity: its author, on the day it was entered (campaigns.corrections)."""
    activity = portal_object(request, Activity.objects.select_related("school", "campaign"), pk=pk)
    require_correction(author_id=activity.recorded_by_id, entered_at=activity.created_at, actor=request.user)
    campaigns = _school_campaigns(activity.school)
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, campaigns=campaigns)
        if form_saved(
            request,
            form,
            lambda data: activity_update(activity=activity, actor=request.user, **data),
            success="宣传活动记录已修改。",
        ):
            return redirect("campaigns:activities", pk=activity.school_id)
    else:
        initial = {name: getattr(activity, name) for name in ActivityForm.base_fields if name != "photos"}
        form = ActivityForm(campaigns=campaigns, initial=initial)
    return render_portal(
        request,
        "portal/activity_form.html",
        {"form": form, "school": activity.school, "has_campaigns": True, "activity": activity},
    )


@require_POST
@portal_view("delete_activity")
def activity_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = portal_object(request, Activity.objects.select_related("school"), pk=pk)
    school_id = activity.school_id
    activity_undo(activity=activity, actor=request.user)
    messages.success(request, "已撤销这条宣传活动记录。")
    return redirect("campaigns:activities", pk=school_id)


@require_safe
@portal_view("view_campaign")
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = scope_queryset(
        request.user, Campaign.objects.select_related("school_year", "township")
    ).prefetch_related("phases")
    today = timezone.localdate()
    return render_portal(
        request, "portal/campaigns.html", {"campaigns": campaigns, "today": today}
    )


def _campaign_schools(request: HttpRequest, campaign: Campaign) -> QuerySet[School]:
    # A director sees only their own kindergarten's row of a campaign (SECURITY A4).
    return scope_queryset(request.user, campaign.schools.all())


@require_safe
@portal_view("view_campaign")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = portal_object(
        request, Campaign.objects.select_related("school_year", "township"), pk=pk
    )
    progress = campaign_progress(
        campaign=campaign, today=timezone.localdate(), schools=_campaign_schools(request, campaign)
    )
    scope = user_scope(request.user)
    # The user's own reports of this campaign that can still be downloaded.
    report_jobs = ExportJob.objects.filter(
        owner=request.user,
        kind=CAMPAIGN_REPORT_KIND,
        parameters__campaign=campaign.pk,
        expires_at__gt=timezone.now(),
    )[:3]
    return render_portal(
        request,
        "portal/campaign.html",
        {
            "campaign": campaign,
            "progress": progress,
            "members": campaign_members(campaign=campaign),
            "own_school_id": scope.school_id,
            "can_write": can(request, "add_kindergartensummary"),
            "can_report": can(request, "export_campaign"),
            "report_jobs": report_jobs,
            "definition": ACTIVITY_COUNT_DEFINITION,
        },
    )


@require_POST
@portal_view("export_campaign")
def campaign_report_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the campaign report PDF (it can run to many pages: SECURITY F2)."""
    scope = user_scope(request.user)
    campaign = portal_object(request, Campaign.objects.all(), pk=pk)
    job = export_job_start(
        user=request.user,
        kind=CAMPAIGN_REPORT_KIND,
        parameters={"campaign": campaign.pk},
        title=campaign_report_title(campaign),
    )
    messages.success(request, f"已提交“{job.title}”，生成后即可下载。")
    # Township and county staff have the export centre with all their jobs; directors
    # (on their phones) and accounts without staff status follow the job in the portal.
    if request.user.is_staff and scope.role != Role.DIRECTOR:
        return redirect("export_centre")
    return redirect("campaigns:job", pk=job.pk)


@portal_view("add_kindergartensummary")
def summary_edit(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    campaign = portal_object(request, Campaign.objects.all(), pk=pk)
    school = portal_object(request, campaign.schools.all(), pk=school_pk)
    existing = KindergartenSummary.objects.filter(campaign=campaign, school=school).first()
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form_saved(
            request,
            form,
            lambda data: summary_save(
                campaign=campaign, school=school, text=data["text"], actor=request.user
            ),
            success="活动总结已保存。",
        ):
            return redirect("campaigns:campaign", pk=campaign.pk)
    else:
        form = SummaryForm(initial={"text": existing.text if existing else ""})
    return render_portal(
        request, "portal/summary_form.html", {"form": form, "campaign": campaign, "school": school}
    )
