"""开设学年: the county administrator gives a school year its terms and last year's policies.

A preview first (which policies, with their tiers and amounts, from which
year), then the confirmation, which calls the same service as the `open_year`
command (`subsidies.services.policies.year_open`). Pages of a year without
policies say so with `no_policies_notice`, linking here for those who may open it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from aidsite.access import require
from aidsite.admin_pages import render_admin_page
from students.models import SchoolYear
from subsidies.forms.policies import OpenYearForm
from subsidies.forms.shared import no_policies_message
from subsidies.selectors import year_has_policies
from subsidies.services.policies import year_open, year_opening_plan

OPEN_YEAR = "subsidies.add_policy"


def _require_open_year(user: Any, denied: str = "") -> None:
    """Only the county administrator: the policy permission, county-wide, not read-only."""
    require(user, OPEN_YEAR, staff=True, township=None, write=True, denied=denied)


def can_open_year(user: Any) -> bool:
    try:
        _require_open_year(user)
    except PermissionDenied:
        return False
    return True


def no_policies_notice(user: Any, school_year: SchoolYear | None) -> dict[str, str] | None:
    """What a page says of a school year without policies (None if it has them), with where to open it."""
    if school_year is None or year_has_policies(school_year):
        return None
    url = (
        f"{reverse('policies:open_year')}?{urlencode({'year': school_year.name})}"
        if can_open_year(user)
        else ""
    )
    return {"message": no_policies_message(school_year), "open_url": url, "year": school_year.name}


def _policy_list_url(school_year: SchoolYear) -> str:
    return f"{reverse('admin:subsidies_policy_changelist')}?{urlencode({'school_year__id__exact': school_year.pk})}"


@require_http_methods(["GET", "POST"])
@login_required
def open_year(request: HttpRequest) -> HttpResponse:
    """Choose the year, see what will be copied, confirm; the year and its policies in one transaction."""
    _require_open_year(request.user)
    posted = request.method == "POST"
    form = OpenYearForm(request.POST if posted else None, initial={"year": request.GET.get("year")})
    plan = None
    if posted and form.is_valid():
        try:
            plan = year_opening_plan(name=form.cleaned_data["year"])
        except ValidationError as exc:
            form.add_error("year", exc.messages)
        else:
            if "confirm" in request.POST and form.cleaned_data["source"] != plan.source_label:
                messages.warning(request, "预览后上一学年的资助项目已有变化，请重新核对。")
            elif "confirm" in request.POST:
                opened = year_open(name=plan.name, actor=request.user)
                if opened.policies:
                    messages.success(
                        request,
                        f"已开设{opened.school_year.name}学年：资助项目 {len(opened.policies)} 项（{opened.source_label}）。"
                        "请核对各项目的标准，如有调整请逐项修改。",
                    )
                    return redirect(_policy_list_url(opened.school_year))
                form.add_error("year", f"{plan.name}学年已有资助项目，未作改动。")
                plan = None
    return render_admin_page(
        request,
        "subsidies/policies/open_year.html",
        {
            "title": "开设学年",
            "form": form,
            "plan": plan,
            "has_choices": bool(form.fields["year"].choices),
        },
    )


def form_no_policies(user: Any, form: Any) -> dict[str, str] | None:
    """The notice for a form that refused a year without policies (`check_year_has_policies`), with its field."""
    refused = getattr(form, "year_without_policies", None)
    if refused is None:
        return None
    field, school_year = refused
    notice = no_policies_notice(user, school_year)
    return {**notice, "field": field} if notice is not None else None
