"""资金指标执行情况 (/aid/funds/): the county's allotments against what is committed and paid.

Read-only: county administrators, township staff (their township) and auditors
see it; the allotments themselves are entered in the admin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aidsite.access import require, user_scope
from aidsite.admin_pages import render_admin_page
from subsidies.forms.funds import FundsReportForm
from subsidies.selectors.funds import funds_report as funds_report_read
from subsidies.views.policies import form_no_policies

VIEW_ALLOTMENTS = "subsidies.view_fundallotment"


@login_required
def funds_report(request: HttpRequest) -> HttpResponse:
    """Log-in, then the permission, then the method: refused roles get 403 whatever they send."""
    require(request.user, VIEW_ALLOTMENTS, staff=True, denied="")
    return _funds_report(request)


@require_GET
def _funds_report(request: HttpRequest) -> HttpResponse:
    """Per policy, township and school: allotted, carried out, committed, paid, remaining."""
    form = FundsReportForm(request.GET or None, user=request.user)
    if not form.is_bound and form.default_term is not None:
        form = FundsReportForm({"term": form.default_term.pk}, user=request.user)
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = funds_report_read(
            actor=request.user,
            term=data["term"],
            township=data.get("township"),
            policy=data.get("policy"),
        )
    user = request.user
    return render_admin_page(
        request,
        "subsidies/funds/report.html",
        {
            "title": "资金指标执行情况",
            "form": form,
            "report": report,
            "report_title": form.title() if report is not None else "",
            "query": request.GET.urlencode()
            or (f"term={form.cleaned_data['term'].pk}" if report else ""),
            "can_enter": user.has_perm("subsidies.add_fundallotment")
            and not user_scope(user).read_only,
            "can_export": user.has_perm("subsidies.export_disbursementbatch"),
            "no_policies": form_no_policies(user, form),
        },
    )
