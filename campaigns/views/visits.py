"""Home visits in the portal: record one, read it, close its follow-up, print it; photos."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from aidsite.access import log_access
from aidsite.free_text import free_text_reveal_log
from aidsite.models import AccessAction
from campaigns.corrections import CORRECTION_RULE, may_correct, require_correction
from campaigns.forms import VisitForm
from campaigns.models import ActivityPhoto, HomeVisit, VisitPhoto
from campaigns.reports import visit_record_context
from campaigns.views.portal import (
    can,
    form_saved,
    pdf_response,
    portal_object,
    portal_view,
    render_pdf_bytes,
    render_portal,
    who,
)
from campaigns.visits import (
    VISIT_FREE_TEXT,
    visit_follow_up_close,
    visit_record,
    visit_undo,
    visit_update,
)
from students.models import Enrollment, EnrollmentStatus, Student


def _visit_children(enrollment: Enrollment) -> QuerySet[Student]:
    """The household's children studying at the enrollment's school this year."""
    return Student.objects.filter(
        household=enrollment.student.household,
        enrollments__school=enrollment.school,
        enrollments__school_year=enrollment.school_year,
        enrollments__status=EnrollmentStatus.STUDYING,
    ).order_by("name")


@portal_view("add_homevisit")
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = portal_object(
        request, Enrollment.objects.select_related("student__household", "school"), pk=pk
    )
    children = _visit_children(enrollment)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, children_queryset=children)
        if form_saved(
            request,
            form,
            # The form's fields are the service's arguments; the children come as a list.
            lambda data: visit_record(
                school=enrollment.school,
                household=enrollment.student.household,
                actor=request.user,
                **{**data, "children": list(data["children"])},
            ),
            success="走访记录已保存。",
        ):
            return redirect("campaigns:child", pk=enrollment.pk)
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = VisitForm(
            children_queryset=children,
            initial={
                "children": [enrollment.student_id],
                "visited_at": now,
                "led_by": who(request),
            },
        )
    return render_portal(request, "portal/visit_form.html", {"form": form, "enrollment": enrollment})


@require_safe
@portal_view("view_homevisit")
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = portal_object(
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
    return render_portal(
        request,
        "portal/visit_detail.html",
        {
            "visit": visit,
            "enrollment": enrollment,
            "can_close": can(request, "change_homevisit") and visit.follow_up_open,
            "can_correct": can(request, "change_homevisit")
            and may_correct(author_id=visit.recorded_by_id, entered_at=visit.created_at, actor=request.user),
            "correction_rule": CORRECTION_RULE,
        },
    )


@portal_view("change_homevisit")
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a visit: its author, on the day it was entered (campaigns.corrections)."""
    visit = portal_object(request, HomeVisit.objects.select_related("school", "household"), pk=pk)
    require_correction(author_id=visit.recorded_by_id, entered_at=visit.created_at, actor=request.user)
    children = Student.objects.filter(
        household=visit.household,
        enrollments__school=visit.school,
        enrollments__status=EnrollmentStatus.STUDYING,
    ).distinct().order_by("name")
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, children_queryset=children)
        if form_saved(
            request,
            form,
            lambda data: visit_update(
                visit=visit, actor=request.user, **{**data, "children": list(data["children"])}
            ),
            success="走访记录已修改。",
        ):
            return redirect("campaigns:visit", pk=visit.pk)
    else:
        initial = {name: getattr(visit, name) for name in VisitForm.base_fields if name not in {"photos", "children", "actions", "visited_at"}}
        initial |= {
            "children": list(visit.children.values_list("pk", flat=True)),
            "actions": visit.action_list,
            "visited_at": timezone.localtime(visit.visited_at),
        }
        form = VisitForm(children_queryset=children, initial=initial)
    return render_portal(request, "portal/visit_form.html", {"form": form, "visit": visit})


@require_POST
@portal_view("delete_homevisit")
def visit_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = portal_object(request, HomeVisit.objects.select_related("school"), pk=pk)
    enrollment = Enrollment.objects.filter(
        student__in=visit.children.all(), school=visit.school
    ).order_by("-school_year__start_year").first()
    visit_undo(visit=visit, actor=request.user)
    messages.success(request, "已撤销这条走访记录。")
    if enrollment is not None:
        return redirect("campaigns:child", pk=enrollment.pk)
    return redirect("campaigns:school", pk=visit.school_id)


@require_POST
@portal_view("change_homevisit")
def visit_close(request: HttpRequest, pk: int) -> HttpResponse:
    visit = portal_object(request, HomeVisit.objects.all(), pk=pk)
    try:
        visit_follow_up_close(visit=visit, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已标记跟进完成。")
    return redirect("campaigns:visit", pk=visit.pk)


@require_safe
@portal_view("view_homevisit")
def visit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    visit = portal_object(
        request, HomeVisit.objects.select_related("school", "household__village"), pk=pk
    )
    data = render_pdf_bytes("reports/visit_record.html", visit_record_context(visit=visit), request)
    log_access(
        user=request.user,
        action=AccessAction.PRINT,
        what=f"走访记录表 {visit}",
        row_count=1,
        detail={"model": "campaigns.homevisit", "pk": visit.pk},
    )
    return pdf_response(data, f"走访记录表-{visit.visited_at:%Y%m%d}.pdf")


@require_safe
@portal_view("view_homevisit")
def photo(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    model = {"visit": VisitPhoto, "activity": ActivityPhoto}.get(kind)
    if model is None:
        raise Http404
    picture = portal_object(request, model.objects.all(), pk=pk)
    try:
        handle = picture.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle)
