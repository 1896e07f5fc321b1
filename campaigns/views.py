"""The directors' portal: thin function views over the services of this app.

Every object comes through `_get` (aidsite.access.get_for_user), so another
kindergarten's child, visit, card or photo is a 404; writes also need the model
permission, which township staff and auditors do not have (403).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from aidsite.access import (
    can_reveal_personal_data,
    get_for_user,
    log_access,
    scope_queryset,
    user_scope,
)
from aidsite.export_jobs import export_job_start
from aidsite.free_text import free_text_reveal_log
from aidsite.lib.excel import write_formal_workbook
from aidsite.models import AccessAction, ExportJob, Role
from aidsite.views import export_download_response
from campaigns.activities import (
    activity_record,
    campaign_members,
    campaign_progress,
    summary_save,
)
from campaigns.cards import card_step_record, cards_mark_printed, family_cards
from campaigns.coverage import (
    children_for_school,
    coverage_by_school,
    portal_term,
    unvisited_children,
)
from campaigns.forms import ActivityForm, CardStepForm, ContactForm, SummaryForm, VisitForm
from campaigns.mentoring import ledger_rows, mentoring_contact_record
from campaigns.models import (
    Activity,
    ActivityPhoto,
    Campaign,
    CardStep,
    HomeVisit,
    KindergartenSummary,
    Mentoring,
    PolicyCard,
    VisitPhoto,
)
from campaigns.report_jobs import CAMPAIGN_REPORT_KIND, campaign_report_title
from campaigns.reports import (
    open_follow_ups,
    term_summary_context,
    visit_record_context,
)
from campaigns.visits import VISIT_FREE_TEXT, visit_follow_up_close, visit_record
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    School,
    Stage,
    Student,
    Term,
    Township,
)

LOGIN = "campaigns:login"


# --- helpers ---------------------------------------------------------------


def _get(request: HttpRequest, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The one way this module fetches an object: within the user's scope, else 404."""
    return get_for_user(request.user, queryset, **lookup)


def _require(request: HttpRequest, codename: str) -> None:
    if not request.user.has_perm(f"campaigns.{codename}"):
        raise PermissionDenied


def _can(request: HttpRequest, codename: str) -> bool:
    return request.user.has_perm(f"campaigns.{codename}")


def _term(request: HttpRequest) -> Term:
    """The term asked for (?term=pk) or the one today falls in."""
    term_pk = request.GET.get("term", "")
    if term_pk.isdigit():
        term = Term.objects.select_related("school_year").filter(pk=int(term_pk)).first()
    else:
        term = portal_term(timezone.localdate())
    if term is None:
        raise Http404("尚未设置学期。")
    return term


def _kindergartens(request: HttpRequest) -> QuerySet[School]:
    return scope_queryset(
        request.user, School.objects.filter(stages__contains=Stage.KINDERGARTEN)
    ).select_related("township")


def _who(request: HttpRequest) -> str:
    user = request.user
    return (user.get_full_name() or user.get_username())[:30]


def _add_service_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # The tab bar links a director to their own kindergarten's pages from every page.
    context = {"nav_school_id": user_scope(request.user).school_id, **context}
    return render(request, template, context)


def _issuer(request: HttpRequest) -> str:
    """The unit a printed ledger is issued by: the user's school, township, or the county office."""
    scope = user_scope(request.user)
    if scope.school_id is not None:
        return School.objects.get(pk=scope.school_id).name
    if scope.township_id is not None:
        return Township.objects.get(pk=scope.township_id).name
    return settings.AID_OFFICE_NAME


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def _render_pdf(template: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    # Imported here: WeasyPrint is heavy, and only the PDF views need it.
    from aidsite.lib.pdf import render_pdf

    return render_pdf(template, {**context, "printed_at": timezone.now()}, request=request)


# --- home, schools, children ----------------------------------------------


@require_safe
@login_required(login_url=LOGIN)
def home(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if scope.school_id is not None:
        return redirect("campaigns:school", pk=scope.school_id)
    _require(request, "view_homevisit")
    term = _term(request)
    schools = _kindergartens(request)
    rows = coverage_by_school(schools=schools, term=term)
    campaigns = scope_queryset(request.user, Campaign.objects.select_related("school_year"))
    return _render(
        request,
        "portal/overview.html",
        {
            "term": term,
            "rows": rows,
            "campaigns": campaigns,
            "registered": sum(r.registered for r in rows),
            "visited": sum(r.visited for r in rows),
            "families": sum(r.families for r in rows),
            "signed": sum(r.cards_signed for r in rows),
            "follow_ups": len(open_follow_ups(schools=schools)),
        },
    )


@require_safe
@login_required(login_url=LOGIN)
def school_home(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    school = _get(request, School.objects.all(), pk=pk)
    term = _term(request)
    children = list(children_for_school(school=school, term=term))
    cards = family_cards(school=school, school_year=term.school_year)
    return _render(
        request,
        "portal/school.html",
        {
            "school": school,
            "term": term,
            "children": children,
            "visited": sum(1 for e in children if e.visited_this_term),
            "families": len(cards),
            "signed": sum(1 for c in cards if not c.missing_steps),
            "cards_missing": sum(1 for c in cards if c.missing_steps),
            "follow_ups": len(open_follow_ups(schools=School.objects.filter(pk=school.pk))),
            "campaigns": Campaign.objects.filter(schools=school, school_year=term.school_year),
            "can_write": _can(request, "add_homevisit"),
        },
    )


@require_safe
@login_required(login_url=LOGIN)
def child(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    enrollment = _get(
        request,
        Enrollment.objects.select_related("student__household__village", "school", "school_year"),
        pk=pk,
    )
    student = enrollment.student
    visits = (
        scope_queryset(request.user, HomeVisit.objects.filter(children=student))
        .select_related("school")
        .annotate(photo_count=Count("photos"))
        .order_by("-visited_at")
    )
    card = PolicyCard.objects.filter(
        household=student.household, school=enrollment.school, school_year=enrollment.school_year
    ).first()
    steps = [(step, label, card is not None and card.step_done(step)) for step, label in CardStep.choices]
    mentorings = scope_queryset(request.user, Mentoring.objects.filter(student=student))
    return _render(
        request,
        "portal/child.html",
        {
            "enrollment": enrollment,
            "student": student,
            "household": student.household,
            "visits": visits,
            "card": card,
            "steps": steps,
            "mentorings": mentorings,
            "can_write": _can(request, "add_homevisit")
            and enrollment.status == EnrollmentStatus.STUDYING,
        },
    )


# --- visits -----------------------------------------------------------------


def _visit_children(enrollment: Enrollment) -> QuerySet[Student]:
    """The household's children studying at the enrollment's school this year."""
    return Student.objects.filter(
        household=enrollment.student.household,
        enrollments__school=enrollment.school,
        enrollments__school_year=enrollment.school_year,
        enrollments__status=EnrollmentStatus.STUDYING,
    ).order_by("name")


@login_required(login_url=LOGIN)
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "add_homevisit")
    enrollment = _get(
        request, Enrollment.objects.select_related("student__household", "school"), pk=pk
    )
    children = _visit_children(enrollment)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, children_queryset=children)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit_record(
                    school=enrollment.school,
                    household=enrollment.student.household,
                    children=list(data["children"]),
                    visited_at=data["visited_at"],
                    led_by=data["led_by"],
                    participants=data["participants"],
                    actions=data["actions"],
                    other_actions=data["other_actions"],
                    family_feedback=data["family_feedback"],
                    teacher_evaluation=data["teacher_evaluation"],
                    follow_up_needed=data["follow_up_needed"],
                    follow_up=data["follow_up"],
                    photos=data["photos"],
                    user=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "走访记录已保存。")
                return redirect("campaigns:child", pk=enrollment.pk)
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = VisitForm(
            children_queryset=children,
            initial={
                "children": [enrollment.student_id],
                "visited_at": now,
                "led_by": request.user.get_full_name(),
            },
        )
    return _render(request, "portal/visit_form.html", {"form": form, "enrollment": enrollment})


@require_safe
@login_required(login_url=LOGIN)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    visit = _get(
        request,
        HomeVisit.objects.select_related("school", "household__village").prefetch_related(
            "photos", Prefetch("children", queryset=Student.objects.order_by("name"))
        ),
        pk=pk,
    )
    enrollment = Enrollment.objects.filter(
        student__in=visit.children.all(), school=visit.school
    ).order_by("-school_year__start_year").first()
    free_text_reveal_log(user=request.user, obj=visit, fields=VISIT_FREE_TEXT, what=f"走访记录 {visit}")
    return _render(
        request,
        "portal/visit_detail.html",
        {
            "visit": visit,
            "enrollment": enrollment,
            "can_close": _can(request, "change_homevisit") and visit.follow_up_open,
        },
    )


@require_POST
@login_required(login_url=LOGIN)
def visit_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "change_homevisit")
    visit = _get(request, HomeVisit.objects.all(), pk=pk)
    try:
        visit_follow_up_close(visit=visit, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已标记跟进完成。")
    return redirect("campaigns:visit", pk=visit.pk)


@require_safe
@login_required(login_url=LOGIN)
def visit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    visit = _get(request, HomeVisit.objects.select_related("school", "household__village"), pk=pk)
    data = _render_pdf("reports/visit_record.html", visit_record_context(visit=visit), request)
    log_access(
        user=request.user,
        action=AccessAction.PRINT,
        what=f"走访记录表 {visit}",
        row_count=1,
        detail={"model": "campaigns.homevisit", "pk": visit.pk},
    )
    return _pdf_response(data, f"走访记录表-{visit.visited_at:%Y%m%d}.pdf")


@require_safe
@login_required(login_url=LOGIN)
def photo(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    _require(request, "view_homevisit")
    model = {"visit": VisitPhoto, "activity": ActivityPhoto}.get(kind)
    if model is None:
        raise Http404
    picture = _get(request, model.objects.all(), pk=pk)
    try:
        handle = picture.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle)


@require_safe
@login_required(login_url=LOGIN)
def coverage(request: HttpRequest) -> HttpResponse:
    _require(request, "view_homevisit")
    term = _term(request)
    unvisited = list(unvisited_children(schools=_kindergartens(request), term=term))
    return _render(request, "portal/coverage.html", {"term": term, "unvisited": unvisited})


# --- activities and campaigns ---------------------------------------------


@require_safe
@login_required(login_url=LOGIN)
def activities(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_activity")
    school = _get(request, School.objects.all(), pk=pk)
    rows = (
        Activity.objects.filter(school=school)
        .select_related("campaign")
        .annotate(photo_count=Count("photos"))
        .order_by("-date", "-pk")
    )
    return _render(
        request,
        "portal/activities.html",
        {"school": school, "activities": rows, "can_write": _can(request, "add_activity")},
    )


@login_required(login_url=LOGIN)
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "add_activity")
    school = _get(request, School.objects.all(), pk=pk)
    campaigns = Campaign.objects.filter(schools=school).order_by("-school_year__start_year", "name")
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, campaigns=campaigns)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity_record(school=school, user=request.user, **data)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "宣传活动已记录。")
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
    return _render(
        request,
        "portal/activity_form.html",
        {"form": form, "school": school, "has_campaigns": campaigns.exists()},
    )


@require_safe
@login_required(login_url=LOGIN)
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(request, "view_campaign")
    campaigns = scope_queryset(
        request.user, Campaign.objects.select_related("school_year", "township")
    ).prefetch_related("phases")
    today = timezone.localdate()
    return _render(
        request, "portal/campaigns.html", {"campaigns": campaigns, "today": today}
    )


def _campaign_schools(request: HttpRequest, campaign: Campaign) -> QuerySet[School]:
    # A director sees only their own kindergarten's row of a campaign (SECURITY A4).
    return scope_queryset(request.user, campaign.schools.all())


@require_safe
@login_required(login_url=LOGIN)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_campaign")
    campaign = _get(request, Campaign.objects.select_related("school_year", "township"), pk=pk)
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
    return _render(
        request,
        "portal/campaign.html",
        {
            "campaign": campaign,
            "progress": progress,
            "members": campaign_members(campaign=campaign),
            "own_school_id": scope.school_id,
            "can_write": _can(request, "add_kindergartensummary"),
            "can_report": _can(request, "export_campaign"),
            "report_jobs": report_jobs,
        },
    )


@require_POST
@login_required(login_url=LOGIN)
def campaign_report_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the campaign report PDF (it can run to many pages: SECURITY F2)."""
    _require(request, "export_campaign")
    scope = user_scope(request.user)
    campaign = _get(request, Campaign.objects.all(), pk=pk)
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


# --- background jobs started from the portal ----------------------------------------

PORTAL_JOB_KINDS = (CAMPAIGN_REPORT_KIND,)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    # Only the owner's own portal jobs exist for them: anyone else's is a 404.
    return get_object_or_404(ExportJob, pk=pk, owner=request.user, kind__in=PORTAL_JOB_KINDS)


@require_safe
@login_required(login_url=LOGIN)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's status and progress (htmx polls the page while it runs), then its download."""
    return _render(request, "portal/job.html", {"job": _own_job(request, pk)})


@require_safe
@login_required(login_url=LOGIN)
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    return export_download_response(job=_own_job(request, pk), user=request.user)


@login_required(login_url=LOGIN)
def summary_edit(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    _require(request, "add_kindergartensummary")
    campaign = _get(request, Campaign.objects.all(), pk=pk)
    school = _get(request, campaign.schools.all(), pk=school_pk)
    existing = KindergartenSummary.objects.filter(campaign=campaign, school=school).first()
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                summary_save(
                    campaign=campaign, school=school, text=form.cleaned_data["text"], user=request.user
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "活动总结已保存。")
                return redirect("campaigns:campaign", pk=campaign.pk)
    else:
        form = SummaryForm(initial={"text": existing.text if existing else ""})
    return _render(
        request, "portal/summary_form.html", {"form": form, "campaign": campaign, "school": school}
    )


# --- policy cards ------------------------------------------------------------


@require_safe
@login_required(login_url=LOGIN)
def cards(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_policycard")
    school = _get(request, School.objects.all(), pk=pk)
    term = _term(request)
    missing_only = request.GET.get("missing") == "1"
    rows = family_cards(school=school, school_year=term.school_year, missing_only=missing_only)
    return _render(
        request,
        "portal/cards.html",
        {
            "school": school,
            "term": term,
            "rows": rows,
            "missing_only": missing_only,
            "steps": CardStep.choices,
            "can_write": _can(request, "change_policycard") and _can(request, "add_policycard"),
            "who": _who(request),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required(login_url=LOGIN)
def card_tick(request: HttpRequest, pk: int, household_pk: int) -> HttpResponse:
    _require(request, "change_policycard")
    _require(request, "add_policycard")
    school = _get(request, School.objects.all(), pk=pk)
    household = _get(request, Household.objects.all(), pk=household_pk)
    term = _term(request)
    form = CardStepForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            card_step_record(
                school=school,
                school_year=term.school_year,
                household=household,
                step=form.cleaned_data["step"],
                on=form.cleaned_data["on"],
                by=form.cleaned_data["by"],
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        error = "请填写经办人和日期。"
    if request.htmx:
        row = next(
            (r for r in family_cards(school=school, school_year=term.school_year) if r.household.pk == household.pk),
            None,
        )
        if row is None:
            raise Http404
        return _render(
            request,
            "portal/_card_row.html",
            {
                "row": row,
                "school": school,
                "term": term,
                "error": error,
                "can_write": True,
                "who": form.cleaned_data.get("by") if form.is_valid() else _who(request),
                "today": timezone.localdate(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("campaigns:cards", kwargs={"pk": school.pk}) + f"#family-{household.pk}")


@require_POST
@login_required(login_url=LOGIN)
def cards_print(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "add_policycard")
    school = _get(request, School.objects.all(), pk=pk)
    term = _term(request)
    count = cards_mark_printed(
        school=school, school_year=term.school_year, on=timezone.localdate(), by=_who(request)
    )
    messages.success(request, f"已将 {count} 张明白卡标记为已打印。")
    return redirect("campaigns:cards", pk=school.pk)


# --- term summary ----------------------------------------------------------------


@require_safe
@login_required(login_url=LOGIN)
def term_summary(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    school = _get(request, School.objects.all(), pk=pk)
    context = term_summary_context(school=school, term=_term(request))
    return _render(request, "portal/term_summary.html", context)


@require_safe
@login_required(login_url=LOGIN)
def term_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_homevisit")
    school = _get(request, School.objects.all(), pk=pk)
    context = term_summary_context(school=school, term=_term(request))
    data = _render_pdf("reports/term_summary.html", context, request)
    log_access(
        user=request.user,
        action=AccessAction.PRINT,
        what=f"学期工作小结 {school}",
        row_count=len(context["visits"]),
        detail={"model": "students.school", "pk": school.pk},
    )
    return _pdf_response(data, f"{context['title']}.pdf")


# --- mentoring -------------------------------------------------------------------


@require_safe
@login_required(login_url=LOGIN)
def mentoring_list(request: HttpRequest) -> HttpResponse:
    _require(request, "view_mentoring")
    pairs = (
        scope_queryset(request.user, Mentoring.objects.all())
        .select_related("school", "student")
        .annotate(contact_count=Count("contacts"))
        .order_by("school__name", "student__name")
    )
    return _render(
        request,
        "portal/mentoring.html",
        {"pairs": pairs, "can_export": _can(request, "export_mentoring")},
    )


@login_required(login_url=LOGIN)
def mentoring_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_mentoring")
    if request.method == "POST":
        _require(request, "add_mentoringcontact")
    mentoring = _get(request, Mentoring.objects.select_related("school", "student"), pk=pk)
    can_write = _can(request, "add_mentoringcontact")
    form = ContactForm(initial={"date": timezone.localdate()}) if can_write else None
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                mentoring_contact_record(mentoring=mentoring, **form.cleaned_data)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "帮扶记录已保存。")
                return redirect("campaigns:mentoring_detail", pk=mentoring.pk)
    return _render(
        request,
        "portal/mentoring_detail.html",
        {"mentoring": mentoring, "contacts": mentoring.contacts.all(), "form": form},
    )


@require_safe
@login_required(login_url=LOGIN)
def mentoring_ledger_xlsx(request: HttpRequest) -> HttpResponse:
    _require(request, "export_mentoring")
    mentorings = scope_queryset(request.user, Mentoring.objects.all())
    reveal = can_reveal_personal_data(request.user)
    buffer = io.BytesIO()
    result = write_formal_workbook(
        buffer,
        ledger_rows(mentorings, reveal=reveal),
        title="一对一爱心育才帮扶台账",
        issuer=_issuer(request),
        money_columns=(),
        count_unit="条",
    )
    data, count = buffer.getvalue(), result.rows
    log_access(
        user=request.user,
        action=AccessAction.EXPORT,
        what="一对一爱心育才帮扶台账",
        row_count=count,
        detail={"full_id_numbers": reveal},
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = dt.date.today().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'帮扶台账-{stamp}.xlsx')}"
    )
    return response
