"""The application pages (资助申请, /aid/applications/): the list and a new application.

Thin views: the list reads `application_list` in the user's scope; a new application is
assessed by `application_assess` (its unmet rules shown before anything is saved) and
entered by `application_submit`. The review (detail, 初审, 审核, evidence) is in
`subsidies.views.application_review`. Township staff and the county administrator work
here; auditors read; directors (the portal's) get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from aidsite.access import require, user_scope
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from subsidies.forms.applications import (
    ApplicationFilterForm,
    ApplicationForm,
    EvidenceFormSet,
    evidence_items,
)
from subsidies.models import ApplicationStatus
from subsidies.rules.applications import Asked
from subsidies.selectors.application_lists import (
    application_list,
    applications_waiting,
    status_counts,
)
from subsidies.services.applications import (
    applicant_student,
    application_assess,
    application_submit,
)
from subsidies.views.aid import _list_filters, _search_redirect

VIEW = "subsidies.view_aidapplication"
ADD = "subsidies.add_aidapplication"
PAGE_SIZE = 50


def application_page(
    permission: str = VIEW, *, methods: tuple[str, ...] = ("GET",), write: bool = False
) -> Callable[[Any], Any]:
    """The method, then log-in, then the page's permission (staff only; writes refused to auditors)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, permission, staff=True, write=write, denied="")
            return view(request, *args, **kwargs)

        return require_http_methods(list(methods))(login_required(wrapped))

    return decorator


@application_page(methods=("GET", "POST"))
def application_index(request: HttpRequest) -> HttpResponse:
    """资助申请: a year's applications, filtered and searched, with what waits for 初审 and 审核."""
    moved = _search_redirect(request, request.POST if request.method == "POST" else request.GET)
    if moved is not None:
        return moved
    form = ApplicationFilterForm(request.GET, user=request.user)
    context: dict[str, Any] = {
        "title": "资助申请",
        "form": form,
        "school_year": form.school_year,
        "waiting": applications_waiting(request.user),
        "can_add": request.user.has_perm(ADD) and not user_scope(request.user).read_only,
        "county_wide": user_scope(request.user).township_id is None,
    }
    if form.school_year is not None:
        queryset = application_list(
            actor=request.user, school_year=form.school_year, **_list_filters(request, form)
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        in_year = status_counts(application_list(actor=request.user, school_year=form.school_year))
        context.update(
            page=page,
            rows=[{"a": a, "masked_id": mask_id_number(a.student.id_number)} for a in page],
            page_query=query.urlencode(),
            submitted=in_year.get(ApplicationStatus.SUBMITTED, 0),
            checked=in_year.get(ApplicationStatus.CHECKED, 0),
        )
    return render_admin_page(request, "subsidies/applications/index.html", context)


def _asked(data: dict[str, Any]) -> Asked:
    return Asked(
        amount=data.get("amount_requested"),
        college=(data.get("college") or "").strip(),
        degree_level=data.get("degree_level") or "",
        entry_year=data.get("entry_year"),
        program_years=data.get("program_years"),
        tuition_per_year=data.get("tuition_per_year"),
        accommodation_per_year=data.get("accommodation_per_year"),
        partner=data.get("partner") or "",
    )


def _submit(request: HttpRequest, form: ApplicationForm, formset: Any) -> tuple[Any, list[str]]:
    """Assess, then enter the application; (the application or None, the unmet rules to show)."""
    data = form.cleaned_data
    asked = _asked(data)
    try:
        # The applicant entered as a student (a household member at college) only with the application.
        with transaction.atomic():
            student = applicant_student(form.applicant)
            assessment = application_assess(
                student=student, policy=data["policy"], asked=asked, term=data["term"]
            )
            problems = [p.message for p in assessment.eligibility]
            if problems and not (data.get("exception_reason") or "").strip():
                form.add_error(
                    "exception_reason", "申请人不符合项目条件。如确需受理，请填写破格受理理由。"
                )
                transaction.set_rollback(True)
                return None, problems
            application = application_submit(
                actor=request.user, student=student, policy=data["policy"], asked=asked,
                applied_on=data["applied_on"], term=data["term"],
                exception_reason=data.get("exception_reason") or "", evidence=evidence_items(formset),
            )  # fmt: skip
    except ValidationError as exc:
        service_error(form, exc)
        return None, []
    except PermissionDenied:
        form.add_error("id_number", "只能受理本乡镇的申请。")
        return None, []
    return application, problems


@application_page(ADD, methods=("GET", "POST"), write=True)
def application_new(request: HttpRequest) -> HttpResponse:
    """录入资助申请: the applicant, the policy, the amount and what the policy needs, with evidence."""
    school_year = ApplicationFilterForm(request.GET, user=request.user).school_year
    bound = request.method == "POST"
    form = ApplicationForm(
        request.POST if bound else None, user=request.user, school_year=school_year
    )
    formset = EvidenceFormSet(
        request.POST if bound else None, request.FILES if bound else None, prefix="evidence"
    )
    problems: list[str] = []
    if bound and form.is_valid() and formset.is_valid():
        application, problems = _submit(request, form, formset)
        if application is not None:
            messages.success(
                request,
                f"已录入{application.student.name}的{application.policy.name}申请，等待初审。",
            )
            return redirect("applications:detail", pk=application.pk)
    return render_admin_page(
        request,
        "subsidies/applications/new.html",
        {
            "title": "录入资助申请",
            "form": form,
            "formset": formset,
            "school_year": school_year,
            "problems": problems,
            "ask_reason": bool(
                problems or form["exception_reason"].value() or form.errors.get("exception_reason")
            ),
            "policy_options": form.policy_options(),
        },
    )
