"""One application (/aid/applications/<pk>/): what the rules say, the evidence, the timeline,
and the steps the viewer may take — 初审 (township), 审核 (county, four-eyes), more evidence.

Every object is fetched through `get_application` / `get_evidence` (scoped: 404 outside
the user's township); each step calls one service, which checks access again. A refused
step renders the page again with the service's reason under the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from aidsite.access import get_for_user, log_access, user_scope
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from aidsite.lib.uploads import image_format
from aidsite.models import AccessAction
from subsidies.forms.applications import CheckForm, DecideForm, EvidenceFormSet, evidence_items
from subsidies.models import AidApplication, ApplicationEvidence, ApplicationStatus
from subsidies.rules.applications import granted_amount
from subsidies.services.applications import (
    application_assess,
    application_check,
    application_decide,
    asked_of,
    evidence_add,
)
from subsidies.views.applications import ADD, application_page

CHECK = "subsidies.check_aidapplication"
DECIDE = "subsidies.decide_aidapplication"


def get_application(request: HttpRequest, pk: int) -> AidApplication:
    return get_for_user(
        request.user,
        AidApplication.objects.select_related(
            "student__household__village__township",
            "policy__school_year",
            "term__school_year",
            "township",
            "enrollment__school",
            "submitted_by",
            "checked_by",
            "decided_by",
            "entitlement",
        ),
        pk=pk,
    )


def get_evidence(request: HttpRequest, pk: int) -> ApplicationEvidence:
    return get_for_user(
        request.user, ApplicationEvidence.objects.select_related("application"), pk=pk
    )


def _rules_amount(application: AidApplication) -> tuple[Any, str]:
    """The rules' amount for the application now, and why (None with the reason when there is none)."""
    try:
        assessment = application_assess(
            student=application.student,
            policy=application.policy,
            asked=asked_of(application),
            term=application.term,
        )
    except ValidationError as exc:
        return None, "；".join(exc.messages)
    if assessment.errors:
        return None, "；".join(p.message for p in assessment.errors)
    granted = granted_amount(assessment.rules, assessment.facts, asked_of(application))
    return granted.amount, granted.why


def _who(user: Any, fallback: str = "") -> str:
    if user is None:
        return fallback or "系统"
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _event_text(event: Any) -> str:
    """What was done and what was written, without saying "批准：批准 …" twice."""
    label = event.get_action_display()
    if not event.note:
        return label
    return event.note if event.note.startswith(label) else f"{label}：{event.note}"


def _four_eyes_refusal(request: HttpRequest, application: AidApplication) -> str:
    if request.user.pk in (application.submitted_by_id, application.checked_by_id):
        return (
            "您录入或初审了此申请，按“双人审核”规定不能由您审核，请由县资助中心另一位工作人员审核。"
        )
    return ""


def _may(request: HttpRequest, permission: str, application: AidApplication, status: str) -> bool:
    return (
        application.status == status
        and request.user.has_perm(permission)
        and not user_scope(request.user).read_only
    )


def _render(
    request: HttpRequest, application: AidApplication, status: int | None = None, **forms: Any
) -> HttpResponse:
    amount, why = _rules_amount(application) if application.is_open else (None, "")
    events = application.events.select_related("user").order_by("at", "pk")
    evidence = list(
        application.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")
    )
    may_decide = _may(request, DECIDE, application, ApplicationStatus.CHECKED)
    context = {
        "title": f"{application.student.name} · {application.policy.name}",
        "a": application,
        "masked_id": mask_id_number(application.student.id_number),
        "rules_amount": amount,
        "rules_why": why,
        "evidence": [
            {"item": e, "image": e.file.name.lower().endswith((".jpg", ".png", ".webp", ".gif"))}
            for e in evidence
        ],
        "events": [
            {"e": e, "who": _who(e.user, e.actor_name), "text": _event_text(e)} for e in events
        ],
        "may_check": _may(request, CHECK, application, ApplicationStatus.SUBMITTED),
        "may_decide": may_decide,
        "four_eyes": _four_eyes_refusal(request, application) if may_decide else "",
        "may_add_evidence": application.is_open
        and request.user.has_perm(ADD)
        and not user_scope(request.user).read_only,
        "check_form": forms.get("check_form") or CheckForm(),
        "decide_form": forms.get("decide_form") or DecideForm(initial={"amount": amount}),
        "evidence_formset": forms.get("evidence_formset") or EvidenceFormSet(prefix="evidence"),
        "submitted_by": _who(application.submitted_by),
    }
    return render_admin_page(request, "subsidies/applications/detail.html", context, status=status)


@application_page()
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, get_application(request, pk))


@application_page(CHECK, methods=("POST",), write=True)
def application_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """初审: pass to the county, or refuse with the reason."""
    application = get_application(request, pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["passed"]
        try:
            application_check(
                application=application,
                actor=request.user,
                passed=passed,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "decision_reason" in exc.error_dict:
                exc = ValidationError({"reason": exc.error_dict["decision_reason"]})
            service_error(form, exc)
        else:
            messages.success(
                request, "初审通过，已报县资助中心审核。" if passed else "初审不通过，申请已办结。"
            )
            return redirect("applications:detail", pk=pk)
    return _render(request, application, check_form=form)


@application_page(DECIDE, methods=("POST",), write=True)
def application_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """审核: approve (the rules' amount unless a lower one is given) or refuse with the reason."""
    application = get_application(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["approve"]
        try:
            done = application_decide(
                application=application, actor=request.user, approve=approve,
                reason=form.cleaned_data["decision_reason"], amount=form.cleaned_data["amount"] if approve else None,
            )  # fmt: skip
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(
                request,
                f"已批准 {done.amount_approved} 元。" if approve else "已作出不予批准的决定。",
            )
            return redirect("applications:detail", pk=pk)
    return _render(request, application, decide_form=form)


@application_page(ADD, methods=("POST",), write=True)
def application_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """补充材料: more files while the application is open."""
    application = get_application(request, pk)
    formset = EvidenceFormSet(request.POST, request.FILES, prefix="evidence")
    if formset.is_valid():
        items = evidence_items(formset)
        if not items:
            formset._non_form_errors = formset.error_class(["请选择要上传的文件。"])
        else:
            try:
                with transaction.atomic():
                    for kind, file in items:
                        evidence_add(
                            application=application, kind=kind, file=file, actor=request.user
                        )
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                messages.success(request, f"已补充 {len(items)} 份材料。")
                return redirect("applications:detail", pk=pk)
    return _render(request, application, evidence_formset=formset)


@application_page()
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """One file of evidence, for whoever may see its application: images inline, PDFs as a download."""
    item = get_evidence(request, pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    image = image_format(handle) is not None
    log_access(
        user=request.user, action=AccessAction.DOWNLOAD, what=f"资助申请证明材料 {item}", row_count=1,
        detail={"model": "subsidies.applicationevidence", "pk": item.pk, "application": item.application_id},
    )  # fmt: skip
    name = f"证明材料-{item.application_id}-{item.pk}{'' if image else '.pdf'}"
    return FileResponse(handle, as_attachment=not image, filename=name if not image else None)
